// What core work needs from the invocation: the Context, the global options and the config paths.
// It lives in core (not src/commands) so that core never depends on the command layer.

import type { Context } from '../context.ts';
import type { Paths } from './paths.ts';
import type { OutputFormat } from './output/render.ts';

export interface Globals {
  configDir: string;
  /** --layout as given (the paths hold the one in effect). */
  layout?: string | undefined;
  /** --node as given: the node named explicitly (the paths hold the one in effect). */
  node?: string | undefined;
  outputFormat: OutputFormat;
  noborder: boolean;
  noheader: boolean;
  quiet: boolean;
}

export interface CommandEnv {
  ctx: Context;
  globals: Globals;
  paths: Paths;
}

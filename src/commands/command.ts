// What every leaf command gets, and the shape of a leaf command module.

import type { CommandEnv } from '../core/env.ts';
import type { Result } from '../core/output/render.ts';

export type { CommandEnv, Globals } from '../core/env.ts';

/** Option values as commander collected them (strings; booleans already normalized to "true"/"false"). */
export type RawOptions = Readonly<Record<string, string | undefined>>;

export interface LeafCommand<O> {
  /** argv -> typed options; throws UsageError. No IO except reading files named on the command line. */
  parse(args: readonly string[], raw: RawOptions, env: CommandEnv): O | Promise<O>;
  run(env: CommandEnv, options: O): Promise<Result>;
}

// The node's reload command (the analogue of "Restarting pveproxy"): /bin/sh -c, output into the task log.

import { CliError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import { runBounded } from '../run-bounded.ts';

/** A reload that takes longer than this is killed: a timer job must never hang. */
export const RELOAD_TIMEOUT_MS = 120_000;

export interface ReloadOptions {
  /** The environment certnode runs with (from the Context); the command gets it plus the file paths. */
  env: Readonly<Record<string, string | undefined>>;
  certFile: string;
  keyFile: string;
  log: TaskLog;
  timeoutMs?: number;
}

export async function runReloadCommand(command: string, opts: ReloadOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? RELOAD_TIMEOUT_MS;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  env.CERTNODE_CERT_FILE = opts.certFile;
  env.CERTNODE_KEY_FILE = opts.keyFile;
  // the whole process group goes at the timeout: `sh -c` may have started children that hold the pipes open
  const failure = await runBounded('/bin/sh', ['-c', command], `reload command '${command}'`, { env, timeoutMs, onLine: (line) => opts.log.info(line) });
  if (failure) throw new CliError(failure);
}

// The node's reload command (the analogue of "Restarting pveproxy"): /bin/sh -c, output into the task log.

import { spawn } from 'node:child_process';
import { CliError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';

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

export function runReloadCommand(command: string, opts: ReloadOptions): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? RELOAD_TIMEOUT_MS;
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  env.CERTNODE_CERT_FILE = opts.certFile;
  env.CERTNODE_KEY_FILE = opts.keyFile;
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let pending = '';
    const onData = (chunk: string): void => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) opts.log.info(line);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // The whole process group: `sh -c` may have started children that hold the pipes open.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new CliError(`reload command '${command}' could not be started - ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending !== '') opts.log.info(pending);
      if (timedOut) reject(new CliError(`reload command '${command}' did not finish within ${Math.round(timeoutMs / 1000)} s and was killed`));
      else if (code !== 0) reject(new CliError(`reload command '${command}' failed - ${signal ? `killed by signal ${signal}` : `exit code ${code}`}`));
      else resolve();
    });
  });
}

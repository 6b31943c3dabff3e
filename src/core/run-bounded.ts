// One bounded child process for commands certnode runs for the admin (reload command,
// notify-command, sendmail): its own process group, output line by line, the whole group killed
// at the timeout, and the outcome in words.

import { spawn } from 'node:child_process';

export interface RunOptions {
  env: Record<string, string>;
  stdin?: string;
  timeoutMs: number;
  /** Output lines of the process. */
  onLine: (line: string) => void;
}

/** Run a program in its own process group, killed (whole group) after the timeout; resolves with a failure text or undefined. */
export function runBounded(file: string, args: readonly string[], what: string, opts: RunOptions): Promise<string | undefined> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(file, args, { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    } catch (err) {
      resolve(`${what} could not be started - ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    let pending = '';
    const onData = (chunk: string): void => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) opts.onLine(line);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.stdin.on('error', () => {});
    child.stdin.end(opts.stdin ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, opts.timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve(`${what} could not be started - ${err.message}`);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (pending !== '') opts.onLine(pending);
      if (timedOut) resolve(`${what} did not finish within ${Math.round(opts.timeoutMs / 1000)} s and was killed`);
      else if (code !== 0) resolve(`${what} failed - ${signal ? `killed by signal ${signal}` : `exit code ${code}`}`);
      else resolve(undefined);
    });
  });
}

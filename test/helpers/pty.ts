// Drive the built certnode under a pseudo-terminal (util-linux `script`), expect-style:
// wait for a piece of output, then send keys. Every wait is bounded.

import { spawn } from 'node:child_process';
import { BIN, baseEnv, shellQuote } from './cli.ts';

export interface PtyStep {
  /** Wait until the output (since the previous step's match) contains this. */
  expect: string | RegExp;
  /** Then send these bytes (e.g. '\x1b[B' for arrow down, '\r' for Enter). */
  send: string;
}

export interface PtyResult {
  code: number | null;
  output: string;
}

export const KEY = { down: '\u001b[B', up: '\u001b[A', enter: '\r', ctrlC: '\u0003' } as const;

export function runCliPty(args: readonly string[], steps: readonly PtyStep[], opts: { env?: Record<string, string>; timeoutMs?: number; columns?: number } = {}): Promise<PtyResult> {
  const env = baseEnv(opts.env);
  const command = `stty cols ${opts.columns ?? 200} rows 50 2>/dev/null; exec ${[process.execPath, BIN, ...args].map(shellQuote).join(' ')}`;
  const child = spawn('script', ['-qec', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let consumed = 0;
  let step = 0;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`pty run of certnode ${args.join(' ')} timed out at step ${step} (${String(steps[step]?.expect)})\noutput:\n${output}`));
    }, timeoutMs);
    const advance = (): void => {
      while (step < steps.length) {
        const current = steps[step]!;
        const rest = output.slice(consumed);
        const match = typeof current.expect === 'string' ? rest.indexOf(current.expect) : rest.search(current.expect);
        if (match < 0) return;
        consumed += match + 1;
        step++;
        // A short pause lets the prompt library finish drawing before keys arrive.
        setTimeout(() => child.stdin.write(current.send), 50);
        if (step < steps.length) {
          setTimeout(advance, 100);
          return;
        }
      }
    };
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      advance();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.on('error', reject);
    // keys sent after the program ended are dropped, not an unhandled EPIPE
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ code, output: output.replace(/\r\n/g, '\n') });
    });
  });
}

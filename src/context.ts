// The one Context every command and core function gets: terminal, environment, clock.
// Core code never touches process.* directly, so tests can build a Context of their own.

import type { Readable, Writable } from 'node:stream';

export interface IOStreams {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  isStdinTTY: boolean;
  isStdoutTTY: boolean;
  isStderrTTY: boolean;
  /** Terminal width when stdout is a TTY. */
  columns: number | undefined;
}

export interface Context {
  io: IOStreams;
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  sleep(ms: number): Promise<void>;
  /**
   * Call `handler` on SIGINT/SIGTERM instead of dying at once, so the caller can clean up
   * (close listeners, remove DNS records). Returns the function that unregisters it.
   * A second signal ends the process immediately.
   */
  onInterrupt(handler: (signal: string) => void): () => void;
}

export function createSystemContext(): Context {
  const stdout = process.stdout;
  return {
    io: {
      stdin: process.stdin,
      stdout,
      stderr: process.stderr,
      isStdinTTY: process.stdin.isTTY === true,
      isStdoutTTY: stdout.isTTY === true,
      isStderrTTY: process.stderr.isTTY === true,
      columns: stdout.isTTY ? stdout.columns : undefined,
    },
    env: { ...process.env },
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    onInterrupt: processInterrupts(),
  };
}

function processInterrupts(): Context['onInterrupt'] {
  const handlers = new Set<(signal: string) => void>();
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) process.exit(130);
    signalled = true;
    for (const handler of [...handlers]) handler(signal);
  };
  return (handler) => {
    if (handlers.size === 0) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    };
  };
}

/** Whether the locale asks for UTF-8 output (box-drawing tables). */
export function localeIsUtf8(env: Context['env']): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

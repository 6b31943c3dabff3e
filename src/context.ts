// The one Context every command and core function gets: terminal, environment, clock.
// Core code never touches process.* directly, so tests can build a Context of their own.

import { constants as osConstants } from 'node:os';
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
   * Call `handler` on SIGINT/SIGTERM/SIGHUP instead of dying at once, so the caller can clean up
   * (kill DNS scripts, remove their records, close listeners). Returns the function that
   * unregisters it. A second signal calls the handlers again with `repeated` (they must act
   * synchronously) and then ends the process with 128 + the signal's number.
   */
  onInterrupt(handler: (signal: string, repeated: boolean) => void): () => void;
}

export function createSystemContext(): Context {
  const stdout = survivable(process.stdout);
  return {
    io: {
      // stdin only when asked for: Node builds process.stdin on first use, and for a file or
      // /dev/null that loads fs streams, fs/promises and readline - work most commands never need
      get stdin() {
        return process.stdin;
      },
      stdout,
      stderr: survivable(process.stderr),
      get isStdinTTY() {
        return process.stdin.isTTY === true;
      },
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

/** The signals that interrupt a task (the terminal's Ctrl-C, a service stop, a closed session). */
export const INTERRUPT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** 128 + the signal's number: the shell's convention for "ended by signal N". */
export function signalExitCode(signal: string): number {
  return 128 + (osConstants.signals[signal as NodeJS.Signals] ?? 2);
}

function processInterrupts(): Context['onInterrupt'] {
  const handlers = new Set<(signal: string, repeated: boolean) => void>();
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const repeated = signalled;
    signalled = true;
    for (const handler of [...handlers]) handler(signal, repeated);
    if (repeated) process.exit(signalExitCode(signal));
  };
  return (handler) => {
    if (handlers.size === 0) for (const signal of INTERRUPT_SIGNALS) process.on(signal, onSignal);
    handlers.add(handler);
    return () => {
      handlers.delete(handler);
      if (handlers.size === 0) for (const signal of INTERRUPT_SIGNALS) process.off(signal, onSignal);
    };
  };
}

/**
 * A closed or failing stdout/stderr (`| head`, a dropped SSH session, a full disk) must never
 * abort a task half-way: the first write error is swallowed and later writes are dropped, so
 * the task finishes, cleans up, and its exit status says how it went.
 */
function survivable<T extends NodeJS.WriteStream>(stream: T): T {
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]): boolean => {
    if (broken) {
      const callback = args.find((a) => typeof a === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }
    try {
      return write(...args);
    } catch (err) {
      // a bad argument is a bug to see, not a closed terminal
      if (err instanceof TypeError) throw err;
      broken = true;
      return true;
    }
  }) as T['write'];
  return stream;
}

/** Whether the locale asks for UTF-8 output (box-drawing tables). */
export function localeIsUtf8(env: Context['env']): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

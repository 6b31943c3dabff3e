// The one Context every command and core function gets: terminal, environment, clock.
// Core code never touches process.* directly, so tests can build a Context of their own.

import * as fs from 'node:fs';
import { constants as osConstants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

/** Where text goes: a stream, or for a pipe or file the file descriptor itself (FdOutput). */
export interface TextOutput {
  write(text: string): boolean;
}

export interface IOStreams {
  stdin: Readable;
  stdout: TextOutput;
  stderr: TextOutput;
  /** stdout as a stream, for a prompt library to draw on; set when stdout is a terminal. */
  stdoutStream?: Writable;
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
  // A pipe or a file (scripts, cron, `| head`) is written through its file descriptor; only a
  // terminal (or a character device such as /dev/null) gets Node's stream, whose set-up loads
  // net, tty and the stream modules - a good part of a short command's start-up.
  const stdoutStream = isPipeOrFile(1) ? undefined : survivable(process.stdout);
  const stderrStream = isPipeOrFile(2) ? undefined : survivable(process.stderr);
  const stdoutTTY = stdoutStream?.isTTY === true;
  return {
    io: {
      // stdin only when asked for: Node builds process.stdin on first use, and for a file or
      // /dev/null that loads fs streams, fs/promises and readline - work most commands never need
      get stdin() {
        return process.stdin;
      },
      stdout: stdoutStream ?? new FdOutput(1),
      stderr: stderrStream ?? new FdOutput(2),
      stdoutStream: stdoutTTY ? stdoutStream : undefined,
      get isStdinTTY() {
        return process.stdin.isTTY === true;
      },
      isStdoutTTY: stdoutTTY,
      isStderrTTY: stderrStream?.isTTY === true,
      columns: stdoutTTY ? stdoutStream?.columns : undefined,
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

/** Whether `fd` is a pipe, socket or regular file, i.e. certainly not a terminal. */
function isPipeOrFile(fd: number): boolean {
  try {
    const st = fs.fstatSync(fd);
    return st.isFIFO() || st.isSocket() || st.isFile();
  } catch {
    return false;
  }
}

/**
 * Output written straight to a file descriptor, synchronously and in full (what Node does for
 * stdout on a pipe or file too, minus the stream machinery). Like `survivable`, a closed or
 * failing end (EPIPE from `| head`, a full disk) drops this and later writes instead of failing
 * the task. A descriptor another process left non-blocking (EAGAIN) is waited on and retried.
 */
export class FdOutput implements TextOutput {
  private readonly fd: number;
  private broken = false;

  constructor(fd: number) {
    this.fd = fd;
  }

  write(text: string): boolean {
    if (this.broken) return true;
    const data = Buffer.from(text, 'utf8');
    let done = 0;
    let waitedMs = 0;
    while (done < data.length) {
      try {
        done += fs.writeSync(this.fd, data, done, data.length - done);
        waitedMs = 0;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EINTR') continue;
        // a reader that takes no data for a minute: give up on this output, not on the task
        if (code === 'EAGAIN' && waitedMs < FD_WAIT_LIMIT_MS) {
          Atomics.wait(pause, 0, 0, FD_WAIT_STEP_MS);
          waitedMs += FD_WAIT_STEP_MS;
          continue;
        }
        this.broken = true;
        break;
      }
    }
    return true;
  }
}

const FD_WAIT_STEP_MS = 5;
const FD_WAIT_LIMIT_MS = 60_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Whether the locale asks for UTF-8 output (box-drawing tables). */
export function localeIsUtf8(env: Context['env']): boolean {
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

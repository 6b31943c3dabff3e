// Interrupts (SIGINT, SIGTERM, SIGHUP) for long tasks: sleeps that wake up, a check that throws,
// and abort signals that kill running DNS scripts at once.

import type { Context } from '../context.ts';
import { CancelledError } from './errors.ts';

export interface Interrupt {
  /**
   * Sleeps that end early, with CancelledError, on the first interrupt; without an error once
   * `wake` settles (its timer cleared, so nothing holds the process afterwards).
   */
  sleep: (ms: number, wake?: Promise<unknown>) => Promise<void>;
  /** Throws CancelledError once interrupted. */
  check: () => void;
  /** Unregisters the handler. */
  release: () => void;
  /** Aborted on the first interrupt: a running DNS script is killed at once. */
  signal: AbortSignal;
  /** Aborted on a second interrupt: teardown scripts too. */
  teardownSignal: AbortSignal;
}

/** `onRepeat` runs synchronously on a second interrupt, right before the process exits. */
export function interruptible(ctx: Context, onRepeat: () => void): Interrupt {
  let cancelled: string | undefined;
  const wakers = new Set<() => void>();
  const first = new AbortController();
  const second = new AbortController();
  const release = ctx.onInterrupt((signal, repeated) => {
    if (repeated) {
      second.abort(signal);
      onRepeat();
      return;
    }
    cancelled = signal;
    first.abort(signal);
    for (const wake of wakers) wake();
  });
  const check = (): void => {
    if (cancelled) throw new CancelledError(`interrupted by ${cancelled}`, cancelled);
  };
  const sleep = async (ms: number, wake?: Promise<unknown>): Promise<void> => {
    check();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
      wake?.then(done, done);
    });
    check();
  };
  return { sleep, check, release, signal: first.signal, teardownSignal: second.signal };
}


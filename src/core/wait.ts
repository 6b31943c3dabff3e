// The one polling helper: bounded waits with short first intervals, honouring a server's Retry-After.

import { CliError } from './errors.ts';

export type Poll<T> = { done: true; value: T } | { done: false; status: string; retryAfterMs?: number };

export interface WaitOptions {
  /** What we wait for, for the timeout message ("order to become ready"). */
  what: string;
  timeoutMs: number;
  /** Wait this long before the first poll (the server is known to need some time). */
  initialDelayMs?: number;
  /** Intervals for the first polls; the last one repeats. */
  intervalsMs?: readonly number[];
  /** Upper bound for a server-given Retry-After. */
  maxRetryAfterMs?: number;
  /** Waits `ms`, or less once `wake` settles (a sleep that cannot end early may ignore it). */
  sleep: (ms: number, wake?: Promise<unknown>) => Promise<void>;
  now: () => number;
  /**
   * Something that says a look is worth taking now (e.g. the CA has fetched every http-01
   * token): the first wait it cuts short ends there, once. Later looks keep the times they had
   * (the schedule's bound on the number of looks holds), so it only moves one look earlier.
   */
  wake?: Promise<unknown>;
  /** Called at most every `progressEveryMs` while still waiting (elapsed, last status). */
  onProgress?: (elapsedMs: number, status: string) => void;
  progressEveryMs?: number;
  /** Told when a poll's Retry-After sets the next wait: what the server asked for, and the wait (bounded). */
  onRetryAfter?: (requestedMs: number, waitMs: number) => void;
}

export const DEFAULT_INTERVALS_MS: readonly number[] = [250, 250, 500, 500, 1000, 1000, 2000];

export async function waitFor<T>(opts: WaitOptions, poll: () => Promise<Poll<T>>): Promise<T> {
  const intervals = opts.intervalsMs ?? DEFAULT_INTERVALS_MS;
  const started = opts.now();
  const deadline = started + opts.timeoutMs;
  let reported = started;
  let wake = opts.wake;
  let woken = false;
  const settled = (): void => {
    woken = true;
  };
  wake?.then(settled, settled);
  /** What an early wake cut off a wait: added to the next, so later looks keep their times. */
  let carry = 0;
  const pause = async (ms: number): Promise<void> => {
    if (!wake) return opts.sleep(ms);
    const until = opts.now() + ms;
    await opts.sleep(ms, wake);
    if (woken) {
      wake = undefined;
      carry = Math.max(0, until - opts.now());
    }
  };
  if (opts.initialDelayMs) await pause(opts.initialDelayMs);
  for (let attempt = 0; ; attempt++) {
    const result = await poll();
    if (result.done) return result.value;
    const now = opts.now();
    const remaining = deadline - now;
    if (opts.onProgress && opts.progressEveryMs !== undefined && now - reported >= opts.progressEveryMs && remaining > 0) {
      reported = now;
      opts.onProgress(now - started, result.status);
    }
    if (remaining <= 0) {
      throw new CliError(`gave up after ${Math.round(opts.timeoutMs / 1000)} s waiting for ${opts.what} (last status: ${result.status})`);
    }
    let delay = intervals[Math.min(attempt, intervals.length - 1)]! + carry;
    carry = 0;
    if (result.retryAfterMs !== undefined) {
      delay = Math.min(Math.max(result.retryAfterMs, delay), opts.maxRetryAfterMs ?? 10_000);
      opts.onRetryAfter?.(result.retryAfterMs, Math.min(delay, remaining));
      // the server said when to look again: no early look
      await opts.sleep(Math.min(delay, remaining));
      continue;
    }
    await pause(Math.min(delay, remaining));
  }
}

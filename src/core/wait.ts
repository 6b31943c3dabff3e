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
  sleep: (ms: number) => Promise<void>;
  now: () => number;
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
  if (opts.initialDelayMs) await opts.sleep(opts.initialDelayMs);
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
    let delay = intervals[Math.min(attempt, intervals.length - 1)]!;
    if (result.retryAfterMs !== undefined) {
      delay = Math.min(Math.max(result.retryAfterMs, delay), opts.maxRetryAfterMs ?? 10_000);
      opts.onRetryAfter?.(result.retryAfterMs, Math.min(delay, remaining));
    }
    await opts.sleep(Math.min(delay, remaining));
  }
}

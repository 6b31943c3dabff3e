// What the last order/renew/revoke runs ended with, kept in <config-dir>/certnode-runs.json:
// the facts notifications (first success after a failure), metrics and the rate-limit memory need.

import type { Paths } from './paths.ts';
import { PUBLIC_DIR_MODE, PUBLIC_FILE_MODE, readTextIfExists, writeFileAtomic } from './store/store.ts';

export interface RateLimit {
  /** Epoch seconds: the CA's Retry-After; no renewal contacts the CA before it (unless --force). */
  until: number;
  /** The CA's one-line problem detail. */
  detail: string;
}

export interface RunState {
  /** Epoch seconds of the last attempt (an order placed or tried), success, failure. */
  lastAttempt?: number;
  lastSuccess?: number;
  lastFailure?: number;
  /** Failed attempts since the last success. */
  consecutiveFailures: number;
  lastEvent?: string;
  rateLimit?: RateLimit;
}

/** Beside node.cfg, not in certs/: a failed order leaves the certificate directory byte-identical (paths.ts). */
export function runStateFile(paths: Paths): string {
  return paths.runStateFile;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** The recorded state; an unreadable or missing file is a fresh start (it only informs, never blocks for good). */
export function readRunState(paths: Paths): RunState {
  const text = readTextIfExists(runStateFile(paths));
  const fresh: RunState = { consecutiveFailures: 0 };
  if (text === undefined) return fresh;
  try {
    const raw = JSON.parse(text) as Record<string, unknown>;
    const state: RunState = { consecutiveFailures: Math.max(0, Math.floor(num(raw.consecutiveFailures) ?? 0)) };
    for (const key of ['lastAttempt', 'lastSuccess', 'lastFailure'] as const) {
      const v = num(raw[key]);
      if (v !== undefined) state[key] = v;
    }
    if (typeof raw.lastEvent === 'string') state.lastEvent = raw.lastEvent;
    const limit = raw.rateLimit as Record<string, unknown> | undefined;
    const until = num(limit?.until);
    if (until !== undefined) state.rateLimit = { until, detail: typeof limit?.detail === 'string' ? limit.detail : '' };
    return state;
  } catch {
    return fresh;
  }
}

export function writeRunState(paths: Paths, state: RunState): void {
  writeFileAtomic(runStateFile(paths), `${JSON.stringify(state, null, 2)}\n`, { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE, keepDirMode: true });
}

/** The state after an outcome (pure). */
export function nextRunState(previous: RunState, outcome: { event: string; success: boolean; now: number; rateLimit?: RateLimit | undefined }): RunState {
  const next: RunState = { ...previous, lastAttempt: outcome.now, lastEvent: outcome.event };
  delete next.rateLimit;
  if (outcome.success) {
    next.lastSuccess = outcome.now;
    next.consecutiveFailures = 0;
  } else {
    next.lastFailure = outcome.now;
    next.consecutiveFailures = previous.consecutiveFailures + 1;
    if (outcome.rateLimit) next.rateLimit = outcome.rateLimit;
  }
  return next;
}

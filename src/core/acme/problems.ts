// Pure decisions about ACME responses: problem documents -> typed errors, Retry-After -> wait or give up.

import { AcmeProblemError, type AcmeSubproblem } from '../errors.ts';

export const BAD_NONCE = 'urn:ietf:params:acme:error:badNonce';
/** The longest Retry-After certnode sleeps through; a longer one is reported (acme.sh caps at 600 s, a CLI should be quicker). */
export const RETRY_AFTER_CAP_SECONDS = 60;

export interface HttpResponse {
  status: number;
  headers: Readonly<Record<string, string | undefined>>;
  data: unknown;
}

/** Retry-After (delta seconds or HTTP date) in seconds from `now`; undefined when absent or unparsable. */
export function retryAfterSeconds(header: string | undefined, now: Date): number | undefined {
  if (header === undefined) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

export type RetryPlan = { action: 'retry'; waitMs: number } | { action: 'fail'; retryAt?: Date };

/**
 * What to do about a response that may be retried (429, 503 or other 5xx): wait a bounded time
 * and retry, or fail (saying when the CA would accept the request again).
 */
export function planRetry(resp: HttpResponse, attempt: number, maxAttempts: number, now: Date, capSeconds = RETRY_AFTER_CAP_SECONDS): RetryPlan {
  const retryable = resp.status === 429 || resp.status >= 500;
  if (!retryable) return { action: 'fail' };
  const after = retryAfterSeconds(resp.headers['retry-after'], now);
  if (after !== undefined && after > capSeconds) return { action: 'fail', retryAt: new Date(now.getTime() + after * 1000) };
  if (attempt >= maxAttempts) return after === undefined ? { action: 'fail' } : { action: 'fail', retryAt: new Date(now.getTime() + after * 1000) };
  return { action: 'retry', waitMs: (after ?? attempt + 1) * 1000 };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function subproblems(value: unknown): AcmeSubproblem[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((s) => ({
    ...(typeof s.type === 'string' ? { type: s.type } : {}),
    ...(typeof s.detail === 'string' ? { detail: s.detail } : {}),
    ...(isRecord(s.identifier) && typeof s.identifier.type === 'string' && typeof s.identifier.value === 'string'
      ? { identifier: { type: s.identifier.type, value: s.identifier.value } }
      : {}),
  }));
}

/** One line: the CA's detail (or what we know), with subproblems and a retry time appended. */
export function problemError(resp: HttpResponse, url: string, retryAt?: Date): AcmeProblemError {
  const doc = isRecord(resp.data) ? resp.data : undefined;
  const type = typeof doc?.type === 'string' ? doc.type : undefined;
  const subs = subproblems(doc?.subproblems);
  let message = typeof doc?.detail === 'string' && doc.detail.trim() !== '' ? doc.detail.trim() : `HTTP ${resp.status} from '${url}'${type ? ` (${type})` : ''}`;
  const subText = subs
    .map((s) => [s.identifier?.value, s.detail].filter((x) => x !== undefined).join(': '))
    .filter((s) => s !== '');
  if (subText.length > 0) message += ` (${subText.join('; ')})`;
  if (retryAt) message += ` - the CA asks to retry after ${retryAt.toISOString().replace(/\.\d+Z$/, 'Z')}; try again then`;
  return new AcmeProblemError(message.replace(/\s*\n\s*/g, ' '), type, resp.status, subs, retryAt);
}

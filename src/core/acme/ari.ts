// ACME Renewal Information (RFC 9773): the CertID of a certificate, the renewalInfo GET, and the
// decision it feeds. Light on purpose: `acme cert renew` uses it on its not-due path, where no
// ACME library is loaded (node built-ins only; the GET is a plain unauthenticated https request).

import * as https from 'node:https';
import type { SecureContext } from 'node:tls';
import type { Context } from '../../context.ts';
import { retryAfterSeconds } from './problems.ts';
import { trustedSecureContext } from './trust.ts';
import { userAgent } from './user-agent.ts';

export const ARI_TIMEOUT_MS = 10_000;
/** Without a Retry-After, ask again after 6 h (certbot's default); never sooner than 1 min, never later than a day (RFC 9773 §4.3.3). */
export const ARI_DEFAULT_RETRY_S = 6 * 3600;
const ARI_MIN_RETRY_S = 60;
const ARI_MAX_RETRY_S = 24 * 3600;

// --- CertID (RFC 9773 §4.1) -----------------------------------------------------------------

interface Tlv {
  tag: number;
  /** Offset of the contents. */
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, offset: number, limit: number): Tlv {
  if (offset + 2 > limit) throw new Error('truncated DER');
  const tag = der[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('unsupported DER tag');
  let len = der[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > limit) throw new Error('truncated DER');
  return { tag, start, end };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const tlv = readTlv(der, at, parent.end);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

const AKI_OID = Uint8Array.of(0x55, 0x1d, 0x23); // 2.5.29.35

/**
 * The serial number's DER INTEGER content bytes as encoded (a leading 0x00 kept: 0x80AABBCCDD is
 * `00 80 AA BB CC DD`) and the AuthorityKeyIdentifier's keyIdentifier, from a DER certificate.
 */
export function certIdParts(der: Uint8Array): { serial: Uint8Array; keyIdentifier: Uint8Array } {
  const cert = readTlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (cert.tag !== 0x30 || !tbs || tbs.tag !== 0x30) throw new Error('not a certificate');
  const fields = children(der, tbs);
  const i = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const serial = fields[i];
  if (!serial || serial.tag !== 0x02) throw new Error('certificate without a serial number');
  const extensions = fields.find((f) => f.tag === 0xa3); // [3] EXPLICIT Extensions
  let keyIdentifier: Uint8Array | undefined;
  for (const ext of extensions ? children(der, children(der, extensions)[0]!) : []) {
    const [oid, ...rest] = children(der, ext);
    if (!oid || oid.tag !== 0x06 || !sameBytes(der.subarray(oid.start, oid.end), AKI_OID)) continue;
    const value = rest.find((t) => t.tag === 0x04);
    if (!value) break;
    const aki = readTlv(der, value.start, value.end);
    const keyId = children(der, aki).find((t) => t.tag === 0x80); // [0] IMPLICIT KeyIdentifier
    if (keyId) keyIdentifier = der.subarray(keyId.start, keyId.end);
    break;
  }
  if (!keyIdentifier) throw new Error('certificate without an authority key identifier');
  return { serial: der.subarray(serial.start, serial.end), keyIdentifier };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, k) => v === b[k]);
}

/** `base64url(keyIdentifier) "." base64url(serial)`; undefined when the certificate has no AKI key id. */
export function certId(der: Uint8Array): string | undefined {
  try {
    const { serial, keyIdentifier } = certIdParts(der);
    return `${Buffer.from(keyIdentifier).toString('base64url')}.${Buffer.from(serial).toString('base64url')}`;
  } catch {
    return undefined;
  }
}

// --- renewalInfo ---------------------------------------------------------------------------

export interface RenewalInfo {
  /** Epoch seconds. */
  start: number;
  end: number;
  explanationURL?: string;
  /** Epoch seconds: not to be asked again before. */
  nextCheck: number;
}

/** A renewalInfo answer, or why there is none (one line: the caller logs it and falls back to the lifetime rule). */
export type RenewalInfoResult = { ok: true; info: RenewalInfo } | { ok: false; reason: string };

/** A renewalInfo response, checked. */
export function parseRenewalInfo(status: number, body: string, retryAfter: string | undefined, now: Date): RenewalInfoResult {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    data = undefined;
  }
  if (status !== 200) {
    const detail = (data as { detail?: unknown } | undefined)?.detail;
    return { ok: false, reason: `HTTP ${status}${typeof detail === 'string' && detail !== '' ? ` - ${detail.split('\n')[0]}` : ''}` };
  }
  const window = (data as { suggestedWindow?: { start?: unknown; end?: unknown } } | null | undefined)?.suggestedWindow;
  const start = typeof window?.start === 'string' ? Date.parse(window.start) : NaN;
  const end = typeof window?.end === 'string' ? Date.parse(window.end) : NaN;
  if (Number.isNaN(start) || Number.isNaN(end) || end < start) return { ok: false, reason: 'the answer has no valid suggestedWindow' };
  const explanation = (data as { explanationURL?: unknown }).explanationURL;
  const retry = retryAfterSeconds(retryAfter, now) ?? ARI_DEFAULT_RETRY_S;
  const wait = Math.min(ARI_MAX_RETRY_S, Math.max(ARI_MIN_RETRY_S, retry));
  return {
    ok: true,
    info: {
      start: Math.floor(start / 1000),
      end: Math.floor(end / 1000),
      ...(typeof explanation === 'string' && explanation !== '' ? { explanationURL: explanation } : {}),
      nextCheck: Math.floor(now.getTime() / 1000) + wait,
    },
  };
}

/** GET `<renewalInfoUrl>/<certId>` with a bounded time; on any failure, why (the caller falls back to the lifetime rule). */
export async function fetchRenewalInfo(ctx: Context, renewalInfoUrl: string, id: string, timeoutMs = ARI_TIMEOUT_MS): Promise<RenewalInfoResult> {
  let secureContext: SecureContext | undefined;
  let url: URL;
  try {
    secureContext = trustedSecureContext(ctx.env);
    url = new URL(`${renewalInfoUrl.replace(/\/+$/, '')}/${id}`);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  if (url.protocol !== 'https:') return { ok: false, reason: `'${renewalInfoUrl}' is not an https URL` };
  return new Promise((resolve) => {
    let timedOut = false;
    const fail = (err: Error): void => resolve({ ok: false, reason: timedOut ? `no answer within ${timeoutMs / 1000} s` : err.message || (err as NodeJS.ErrnoException).code || 'request failed' });
    const headers = { Accept: 'application/json', 'User-Agent': userAgent() };
    const req = https.get(url, { agent: false, timeout: timeoutMs, ...(secureContext ? { secureContext } : {}), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve(parseRenewalInfo(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), Array.isArray(retryAfter) ? retryAfter[0] : retryAfter, ctx.now()));
      });
    });
    const expire = (): void => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    };
    const overall = setTimeout(expire, timeoutMs);
    req.on('timeout', expire);
    req.on('error', fail);
    req.on('close', () => clearTimeout(overall));
  });
}

/**
 * The instant to renew at for a suggested window: a uniformly random one inside it (`random` in
 * [0, 1)), or the one picked before when the window is the same (so repeated runs agree).
 */
export function renewalInstant(window: { start: number; end: number }, previous: { start: number; end: number; renewAt: number } | undefined, random: () => number): number {
  if (previous && previous.start === window.start && previous.end === window.end && previous.renewAt >= window.start && previous.renewAt <= window.end) return previous.renewAt;
  return window.start + Math.floor(random() * (window.end - window.start));
}

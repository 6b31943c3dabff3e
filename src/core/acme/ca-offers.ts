// What a CA offers, from its directory (RFC 8555 §7.1.1 meta, RFC 9773 renewalInfo, profiles):
// shown by `acme account info`. Light on purpose, like the ARI check: one plain GET with node
// built-ins, no ACME library.

import * as http from 'node:http';
import * as https from 'node:https';
import type { SecureContext } from 'node:tls';
import type { Context } from '../../context.ts';
import { trustedSecureContext } from './trust.ts';
import { userAgent } from './user-agent.ts';

export const CA_OFFERS_TIMEOUT_MS = 10_000;

export interface CaOffers {
  /** ACME profiles by name, with the CA's description. */
  profiles: Record<string, string>;
  /** ACME Renewal Information (RFC 9773). */
  ari: boolean;
  /** Account key rollover (keyChange). */
  'key-rollover': boolean;
  'eab-required': boolean;
  'terms-of-service'?: string;
  website?: string;
}

/** The offers in a directory object, or undefined when it is not an ACME directory. */
export function caOffers(directory: unknown): CaOffers | undefined {
  const d = directory as Record<string, unknown> | null;
  if (d === null || typeof d !== 'object' || Array.isArray(d) || typeof d.newOrder !== 'string' || typeof d.newAccount !== 'string') return undefined;
  const meta = (d.meta !== null && typeof d.meta === 'object' ? d.meta : {}) as Record<string, unknown>;
  const profiles: Record<string, string> = {};
  if (meta.profiles !== null && typeof meta.profiles === 'object') {
    for (const [name, description] of Object.entries(meta.profiles as Record<string, unknown>)) profiles[name] = typeof description === 'string' ? description : '';
  }
  return {
    profiles,
    ari: typeof d.renewalInfo === 'string',
    'key-rollover': typeof d.keyChange === 'string',
    'eab-required': meta.externalAccountRequired === true,
    ...(typeof meta.termsOfService === 'string' ? { 'terms-of-service': meta.termsOfService } : {}),
    ...(typeof meta.website === 'string' ? { website: meta.website } : {}),
  };
}

/** GET the directory (bounded); on failure, why in one line. */
export function fetchCaOffers(ctx: Context, directoryUrl: string, timeoutMs = CA_OFFERS_TIMEOUT_MS): Promise<{ ok: true; offers: CaOffers } | { ok: false; reason: string }> {
  let url: URL;
  let secureContext: SecureContext | undefined;
  try {
    url = new URL(directoryUrl);
    secureContext = trustedSecureContext(ctx.env);
  } catch (err) {
    return Promise.resolve({ ok: false, reason: err instanceof Error ? err.message : String(err) });
  }
  const client = url.protocol === 'http:' ? http : https;
  return new Promise((resolve) => {
    let timedOut = false;
    const req = client.get(url, { agent: false, timeout: timeoutMs, ...(secureContext && url.protocol === 'https:' ? { secureContext } : {}), headers: { Accept: 'application/json', 'User-Agent': userAgent() } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => resolve({ ok: false, reason: err.message }));
      res.on('end', () => {
        if (res.statusCode !== 200) {
          resolve({ ok: false, reason: `HTTP ${res.statusCode ?? 0}` });
          return;
        }
        let offers: CaOffers | undefined;
        try {
          offers = caOffers(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          offers = undefined;
        }
        resolve(offers ? { ok: true, offers } : { ok: false, reason: 'not an ACME directory' });
      });
    });
    const expire = (): void => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    };
    const overall = setTimeout(expire, timeoutMs);
    req.on('timeout', expire);
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, reason: timedOut ? `no answer within ${timeoutMs / 1000} s` : err.message || err.code || 'request failed' }));
    req.on('close', () => clearTimeout(overall));
  });
}

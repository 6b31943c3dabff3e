// Where each DNS validation method puts its TXT record and what the record says (pure):
//   dns-01          _acme-challenge.<domain>                      base64url(sha256(key authorization))
//   dns-account-01  _<account label>._acme-challenge.<domain>     the same value; the label is
//                   lower-case base32 of the first 10 bytes of sha256(account URL)
//   dns-persist-01  _validation-persist.<domain>                  "<issuer>; accounturi=<URL>[; policy=wildcard]"
// <domain> is the alias in alias mode; a wildcard's "*." is dropped.

import { createHash } from 'node:crypto';
import type { DnsChallenge } from '../config/node.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 (lower case, no padding) of `bytes`. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** The account label of dns-account-01: 16 characters, the same for every name of one account. */
export function accountLabel(accountUrl: string): string {
  return base32(createHash('sha256').update(accountUrl).digest().subarray(0, 10));
}

/** The TXT record name a method uses for `domain` (or its alias). */
export function dnsRecordName(method: DnsChallenge, domain: string, accountUrl: string): string {
  const bare = domain.replace(/^\*\./, '').replace(/\.$/, '').toLowerCase();
  switch (method) {
    case 'dns-01':
      return `_acme-challenge.${bare}`;
    case 'dns-account-01':
      return `_${accountLabel(accountUrl)}._acme-challenge.${bare}`;
    case 'dns-persist-01':
      return `_validation-persist.${bare}`;
  }
}

export interface PersistRecord {
  issuer: string;
  accountUri: string;
  wildcard: boolean;
}

/** The value of a dns-persist-01 record (RFC 8659 issue-value syntax). */
export function persistValue(r: PersistRecord): string {
  return `${r.issuer}; accounturi=${r.accountUri}${r.wildcard ? '; policy=wildcard' : ''}`;
}

/** issuer-domain-name and lower-cased tags of a TXT value (undefined when it is not one). */
function parsePersist(value: string): { issuer: string; tags: Map<string, string> } | undefined {
  const [first, ...params] = value.split(';');
  const issuer = first?.trim();
  if (!issuer) return undefined;
  const tags = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq === -1) return undefined;
    tags.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim());
  }
  return { issuer, tags };
}

/**
 * Whether a TXT value authorizes this account for this name at one of the CA's issuer domain
 * names: the accounturi matches, a wildcard has policy=wildcard, persistUntil is not past.
 */
export function persistValueAuthorizes(value: string, want: { issuers: readonly string[]; accountUri: string; wildcard: boolean; now: Date }): boolean {
  const parsed = parsePersist(value);
  if (!parsed || !want.issuers.includes(parsed.issuer)) return false;
  if (parsed.tags.get('accounturi') !== want.accountUri) return false;
  if (want.wildcard && parsed.tags.get('policy')?.toLowerCase() !== 'wildcard') return false;
  const until = parsed.tags.get('persistuntil');
  if (until !== undefined && (!/^\d+$/.test(until) || Number(until) * 1000 < want.now.getTime())) return false;
  return true;
}

// What `cert info` tells about a certificate, read with node:crypto (pure).

import { describePublicKey } from './key-material.ts';
import { certificateOf, chainCertificates } from './pem.ts';

export interface CertInfo {
  filename: string;
  /** SHA-256, upper-case hex with colons. */
  fingerprint: string;
  /** OpenSSL one-line form: `/C=US/O=Let's Encrypt/CN=R11`. */
  subject: string;
  issuer: string;
  /** Epoch seconds. */
  notbefore: number;
  notafter: number;
  'public-key-type': string;
  'public-key-bits': number | undefined;
  /** DNS names and IP addresses. */
  san: string[];
  /** The certificate itself (the chain's first certificate). */
  pem: string;
}

/** The `cert info` row order (PVE's; `pem` is for json only). */
export const CERT_INFO_KEYS = [
  'filename',
  'fingerprint',
  'subject',
  'issuer',
  'notbefore',
  'notafter',
  'public-key-type',
  'public-key-bits',
  'san',
] as const satisfies readonly (keyof CertInfo)[];

/** Describe the first certificate of a PEM chain. */
export function certificateInfo(chainPem: string, filename: string): CertInfo {
  const pem = leafCertificate(chainPem);
  const cert = certificateOf(pem);
  const key = describePublicKey(cert.publicKey);
  return {
    filename,
    fingerprint: cert.fingerprint256,
    subject: onelineName(cert.subject),
    issuer: onelineName(cert.issuer),
    notbefore: epochSeconds(cert.validFrom),
    notafter: epochSeconds(cert.validTo),
    'public-key-type': key.type,
    'public-key-bits': key.bits,
    san: subjectAltNames(cert.subjectAltName),
    pem,
  };
}

/** SHA-256 fingerprint of a chain's first certificate (how the install state recognizes it). */
export function chainFingerprint(chainPem: string): string {
  return certificateOf(chainPem).fingerprint256;
}

function leafCertificate(chainPem: string): string {
  return chainCertificates(chainPem)[0] ?? chainPem;
}

/**
 * Node's multi-line name (`C=US\nO=Let's Encrypt\, Inc.\nserialNumber=5 + CN=R11`, RFC 2253
 * escapes) in OpenSSL's one-line form (`/C=US/O=Let's Encrypt, Inc./serialNumber=5+CN=R11`).
 */
export function onelineName(multiline: string | undefined): string {
  if (!multiline) return '';
  return multiline
    .split('\n')
    .map((rdn) => `/${rdn.split(' + ').map(unescapeRfc2253).join('+')}`)
    .join('');
}

function unescapeRfc2253(text: string): string {
  return text.replace(/\\(?:([0-9A-Fa-f]{2})|(.))/g, (_, hex: string | undefined, char: string | undefined) =>
    hex !== undefined ? `\\x${hex.toUpperCase()}` : char!,
  );
}

/** Node's `DNS:a, IP Address:1.2.3.4, ...` (values JSON-quoted when they hold specials): DNS names and IPs. */
export function subjectAltNames(text: string | undefined): string[] {
  if (!text) return [];
  const names: string[] = [];
  const entry = /\s*([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/y;
  let pos = 0;
  while (pos < text.length) {
    entry.lastIndex = pos;
    const m = entry.exec(text);
    if (!m || m[0] === '') break;
    pos = entry.lastIndex;
    const value = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    if (m[1] === 'DNS') names.push(value);
    else if (m[1] === 'IP Address') names.push(canonicalIp(value));
  }
  return names;
}

/** `0:0:0:0:0:0:0:1` -> `::1` (Node prints IPv6 SANs uncompressed). */
function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

function epochSeconds(opensslDate: string): number {
  return Math.floor(new Date(opensslDate).getTime() / 1000);
}

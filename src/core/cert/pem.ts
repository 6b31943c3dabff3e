// PEM text as users hand it to certnode: strict block parsing, certificate chains, private keys (pure).

import type { X509Certificate } from 'node:crypto';
import { lazyCrypto } from '../builtin.ts';
import { UsageError } from '../errors.ts';

export interface PemBlock {
  /** `CERTIFICATE`, `PRIVATE KEY`, `EC PRIVATE KEY`, ... */
  label: string;
  /** The whole block, BEGIN to END line, ending with a newline. */
  text: string;
}

/** Certificates parsed in this process, by their PEM block (a renewal looks at the same one in several checks). */
const parsed = new Map<string, X509Certificate>();
const PARSED_MAX = 32;

/**
 * The certificate of a PEM block, or the first one of a chain, parsed once per process (text
 * that is not PEM blocks goes to `new X509Certificate` as it is, to throw what it throws).
 * X509Certificate is immutable.
 */
export function certificateOf(pem: string): X509Certificate {
  const first = parsePemBlocks(pem)?.find((b) => b.label === 'CERTIFICATE');
  if (first === undefined) return new (lazyCrypto().X509Certificate)(pem);
  let cert = parsed.get(first.text);
  if (cert === undefined) {
    cert = new (lazyCrypto().X509Certificate)(first.text);
    if (parsed.size >= PARSED_MAX) parsed.clear();
    parsed.set(first.text, cert);
  }
  return cert;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n((?:[A-Za-z-]+:[^\n]*\r?\n)*\r?\n?)?([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END \1-----/y;
const INVALID_PEM = 'not a valid PEM-formatted string.';

/**
 * The PEM blocks of `text`, after dropping anything before the first `-----BEGIN` (as PVE does);
 * undefined unless the rest is nothing but PEM blocks and white space.
 */
export function parsePemBlocks(text: string): PemBlock[] | undefined {
  const start = text.indexOf('-----BEGIN');
  if (start === -1) return undefined;
  const blocks: PemBlock[] = [];
  let pos = start;
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (pos >= text.length) break;
    BLOCK.lastIndex = pos;
    const m = BLOCK.exec(text);
    if (!m) return undefined;
    blocks.push({ label: m[1]!, text: `${m[0].replace(/\r\n/g, '\n')}\n` });
    pos = BLOCK.lastIndex;
  }
  return blocks.length > 0 ? blocks : undefined;
}

/**
 * A certificate chain file's content: one or more CERTIFICATE blocks, leaf first, each one
 * a certificate OpenSSL can read. Returns the normalized chain (blocks joined, nothing else).
 */
export function parseCertificateChain(text: string, param: string): string {
  const blocks = parsePemBlocks(text);
  if (!blocks) throw new UsageError(INVALID_PEM, param);
  if (blocks.some((b) => /PRIVATE KEY/.test(b.label))) {
    // Never copy a key into the world-readable chain file.
    throw new UsageError('the file contains a private key - give the key as a separate key file', param);
  }
  const other = blocks.find((b) => b.label !== 'CERTIFICATE');
  if (other) throw new UsageError(`expected only CERTIFICATE blocks, found '${other.label}'`, param);
  blocks.forEach((block, i) => {
    try {
      certificateOf(block.text);
    } catch (err) {
      throw new UsageError(`unable to parse certificate ${i + 1} - ${err instanceof Error ? err.message : String(err)}`, param);
    }
  });
  return blocks.map((b) => b.text).join('');
}

/** The certificates of a chain (as returned by parseCertificateChain), leaf first. */
export function chainCertificates(chain: string): string[] {
  return (parsePemBlocks(chain) ?? []).filter((b) => b.label === 'CERTIFICATE').map((b) => b.text);
}

/** A key file's content: exactly one private key block (PKCS#8, PKCS#1 or SEC1; maybe encrypted). */
export function parsePrivateKeyPem(text: string, param: string): string {
  const blocks = parsePemBlocks(text);
  if (!blocks) throw new UsageError(INVALID_PEM, param);
  const keys = blocks.filter((b) => /PRIVATE KEY$/.test(b.label));
  if (keys.length !== 1) {
    throw new UsageError(keys.length === 0 ? 'no private key found in the file' : 'the file contains more than one private key', param);
  }
  return keys[0]!.text;
}

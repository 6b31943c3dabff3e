// The ACME directories certnode knows: one list, one order, everywhere (register menu, `acme
// directories` text and JSON, `--directory <id>`). Plain data: listing them loads no ACME library.
// Buypass is not here: it ended ACME issuance in October 2025.

import { UsageError } from '../errors.ts';

export interface KnownDirectory {
  /** Stable id, accepted by `--directory`. */
  id: string;
  name: string;
  url: string;
  /** The CA requires external account binding: register asks for the EAB key id and key. */
  eab: boolean;
}

/** pvenode's two Let's Encrypt entries first, so the menu numbers match pvenode's (0, 1). */
export const KNOWN_DIRECTORIES: readonly KnownDirectory[] = [
  { id: 'letsencrypt', name: "Let's Encrypt V2", url: 'https://acme-v02.api.letsencrypt.org/directory', eab: false },
  { id: 'letsencrypt-staging', name: "Let's Encrypt V2 Staging", url: 'https://acme-staging-v02.api.letsencrypt.org/directory', eab: false },
  { id: 'zerossl', name: 'ZeroSSL', url: 'https://acme.zerossl.com/v2/DV90', eab: true },
  { id: 'google', name: 'Google Trust Services', url: 'https://dv.acme-v02.api.pki.goog/directory', eab: true },
  { id: 'google-staging', name: 'Google Trust Services Staging', url: 'https://dv.acme-v02.test-api.pki.goog/directory', eab: true },
];

export function knownDirectoryByUrl(url: string): KnownDirectory | undefined {
  return KNOWN_DIRECTORIES.find((d) => d.url === url);
}

/**
 * `--directory` takes a known id or an http(s) URL (pvenode's `^https?://`). A word that is
 * neither is an error listing the ids.
 */
export function resolveDirectory(value: string, param = 'directory'): string {
  const known = KNOWN_DIRECTORIES.find((d) => d.id === value);
  if (known) return known.url;
  if (/^https?:\/\//i.test(value)) {
    try {
      new URL(value);
      return value;
    } catch {
      // fall through to the error
    }
  }
  if (/^[a-z0-9-]+$/i.test(value)) {
    throw new UsageError(`unknown directory '${value}' - use one of ${KNOWN_DIRECTORIES.map((d) => d.id).join(', ')} or an http(s):// URL (see 'certnode acme directories')`, param);
  }
  throw new UsageError(`invalid format - '${value}' is not an http:// or https:// URL`, param);
}

// `cert set`'s rules for replacing the installed pair with a hand-given one (PVE's set_cert_files; pure).

import { CliError, UsageError } from '../errors.ts';
import type { InstalledPair, NewPair } from './install.ts';

export interface CustomCertificate {
  /** Normalized chain (parseCertificateChain). */
  chain: string;
  /** Its key; undefined: keep the installed key. */
  key: string | undefined;
  force: boolean;
}

/**
 * The pair to install. A custom or ACME certificate is replaced only with `force`; the
 * self-signed default is not worth protecting (in PVE it lives in other files).
 */
export function planCustomCertificate(current: InstalledPair, wanted: CustomCertificate): NewPair {
  const key = wanted.key ?? current.key;
  if (key === undefined) throw new UsageError('Attempted to upload custom certificate without (existing) key.', 'key');
  if (!wanted.force && current.source !== 'self-signed') {
    if (current.chain !== undefined) throw new CliError('Custom certificate file exists but force flag is not set.');
    if (wanted.key !== undefined && current.key !== undefined) throw new CliError('Custom certificate key file exists but force flag is not set.');
  }
  return { chain: wanted.chain, key, source: 'custom' };
}

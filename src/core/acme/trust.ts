// Which CAs certnode trusts for HTTPS to an ACME server (shared by the ACME adapter and the
// ARI check of `acme cert renew`, which must not load the adapter). Light: node built-ins only.

import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Context } from '../../context.ts';
import { CliError } from '../errors.ts';

/**
 * The `ca` option for https requests: undefined (Node's default store, which already holds
 * NODE_EXTRA_CA_CERTS) unless CERTNODE_CA_BUNDLE is set. An explicit `ca` replaces Node's
 * default store, so the public roots and NODE_EXTRA_CA_CERTS are added back.
 */
export function trustedCa(env: Context['env']): string[] | undefined {
  const bundle = env.CERTNODE_CA_BUNDLE;
  if (!bundle) return undefined;
  const ca = [...rootCertificates, readPem(bundle, 'CERTNODE_CA_BUNDLE')];
  if (env.NODE_EXTRA_CA_CERTS) ca.push(readPem(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS'));
  return ca;
}

function readPem(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`unable to read CA bundle '${file}' (${variable}) - ${err instanceof Error ? err.message : String(err)}`);
  }
}

// Which CAs certnode trusts for HTTPS to an ACME server (shared by the ACME adapter and the
// ARI check of `acme cert renew`, which must not load the adapter). Light: node built-ins only.

import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import type { Context } from '../../context.ts';
import { CliError } from '../errors.ts';

function readPem(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError(`unable to read CA bundle '${file}' (${variable}) - ${err instanceof Error ? err.message : String(err)}`);
  }
}

let built: { key: string; context: SecureContext } | undefined;

/**
 * The TLS context for HTTPS to an ACME server: undefined (Node's default store, which already
 * holds NODE_EXTRA_CA_CERTS) unless CERTNODE_CA_BUNDLE is set; then one context per process
 * that trusts the public roots, NODE_EXTRA_CA_CERTS and the bundle. Built once and shared (an agent given `ca` builds a new context for every connection it
 * opens), and as Node's default context plus the bundle where Node offers that (its
 * SecureContext's addCACert, which `ca` itself goes through): handing the ~140 public roots
 * over as `ca` makes OpenSSL parse each one again, ~225 M instructions (~30 ms), where the
 * default store costs next to nothing.
 */
export function trustedSecureContext(env: Context['env']): SecureContext | undefined {
  const bundle = env.CERTNODE_CA_BUNDLE;
  if (!bundle) return undefined;
  const key = `${bundle}\0${env.NODE_EXTRA_CA_CERTS ?? ''}`;
  if (built?.key === key) return built.context;
  const extra = [readPem(bundle, 'CERTNODE_CA_BUNDLE')];
  if (env.NODE_EXTRA_CA_CERTS) extra.push(readPem(env.NODE_EXTRA_CA_CERTS, 'NODE_EXTRA_CA_CERTS'));
  let context = createSecureContext();
  const native = (context as SecureContext & { context?: { addCACert?: unknown } }).context;
  if (typeof native?.addCACert === 'function') {
    for (const pem of extra) (native.addCACert as (pem: string) => void).call(native, pem);
  } else {
    context = createSecureContext({ ca: [...rootCertificates, ...extra] });
  }
  built = { key, context };
  return context;
}

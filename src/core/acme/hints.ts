// The next step, added to errors a user can fix: which command to run, which variable to set.

import { AcmeProblemError, CliError } from '../errors.ts';
import { MAX_DOMAIN_SLOT } from '../config/node.ts';

/** pvenode's wording, then how to configure the names. */
export const NO_DOMAINS =
  `ACME domain list in node configuration is missing! - set it with certnode config set --acme 'domains=<name>[;<name>...]' ` +
  `or --acmedomain0 <name>[,plugin=<id>] (slots 0..${MAX_DOMAIN_SLOT})`;

/** OpenSSL's "I do not trust this chain" codes: a private CA's root is missing. */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
]);

/** Network error text, with the CA-bundle hint when the server's certificate is not trusted. */
export function withTrustHint(text: string, err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && UNTRUSTED_CODES.has(code)) {
    return `${text} - if the ACME server uses a private CA, set CERTNODE_CA_BUNDLE to a PEM file of its root certificate`;
  }
  return text;
}

/**
 * The CA says the account is deactivated (RFC 8555 §7.3.6 answers with `unauthorized`): name the
 * account and how to replace it. Other errors pass unchanged.
 */
export function withAccountHint(err: unknown, accountName: string): unknown {
  if (err instanceof AcmeProblemError && /deactivated/i.test(err.message)) {
    return new CliError(
      `${err.message} (account '${accountName}') - register a new account with certnode acme account register <name> <email> ` +
        `and select it with certnode config set --acme account=<name>`,
      { cause: err },
    );
  }
  return err;
}

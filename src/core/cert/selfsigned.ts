// The node's default self-signed certificate (PBS's `cert update`), and the fallback that installs
// a fresh one wherever a certificate is taken away (`cert delete`, later `acme cert revoke`).
// @peculiar/x509 is loaded only here, and only when a certificate is made.

import { createPrivateKey, createPublicKey, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import { installCertificate, type CertTargets, type InstalledPair, type InstallOutcome } from './install.ts';
import { generatePrivateKey } from './key-material.ts';
import type { KeyType } from './keys.ts';

/** Long enough never to bother anyone; short enough for clients that reject far-future dates. */
export const SELF_SIGNED_DAYS = 3650;

export interface HostNames {
  /** Short host name (`pve1`). */
  nodename: string;
  /** Fully qualified name (`pve1.example.com`), or the short name when there is none. */
  fqdn: string;
}

export interface SelfSignedPair {
  chain: string;
  key: string;
}

/** SANs: host name, FQDN, localhost, 127.0.0.1, ::1 (PBS's set). */
export function selfSignedNames(names: HostNames): { dns: string[]; ips: string[] } {
  return { dns: [...new Set([names.nodename, names.fqdn, 'localhost'])], ips: ['127.0.0.1', '::1'] };
}

export async function createSelfSigned(keyType: KeyType, names: HostNames, now: Date): Promise<SelfSignedPair> {
  const x509 = await import('@peculiar/x509');
  // Node's webcrypto is the DOM Crypto the library is typed for; the DOM lib is not in our tsconfig.
  x509.cryptoProvider.set(webcrypto as never);
  const key = generatePrivateKey(keyType);
  const algorithm = signingAlgorithm(keyType);
  const pkcs8 = createPrivateKey(key).export({ type: 'pkcs8', format: 'der' });
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const keys = {
    privateKey: await webcrypto.subtle.importKey('pkcs8', pkcs8, algorithm, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']),
  };
  const san = selfSignedNames(names);
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // a positive INTEGER
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial.toString('hex'),
    name: [{ O: ['certnode'] }, { OU: [randomUUID()] }, { CN: [names.fqdn] }],
    notBefore: new Date(Math.floor(now.getTime() / 1000) * 1000),
    notAfter: new Date(Math.floor(now.getTime() / 1000) * 1000 + SELF_SIGNED_DAYS * 86_400_000),
    signingAlgorithm: algorithm,
    keys: keys as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...san.dns.map((value) => ({ type: 'dns' as const, value })),
        ...san.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { chain: `${cert.toString('pem').replace(/\r\n/g, '\n').trimEnd()}\n`, key };
}

function signingAlgorithm(keyType: KeyType): webcrypto.RsaHashedImportParams | (webcrypto.EcKeyImportParams & { hash: string }) {
  switch (keyType) {
    case 'ec-256':
      return { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    case 'ec-384':
      return { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' };
    default:
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
}

export interface FallbackOptions {
  keyType: KeyType;
  names: HostNames;
  now: Date;
  /** false: the replaced pair is removed, not kept as `.old` (the user asked for it to go). */
  backup: boolean;
  /** Decide under the lock whether to install at all (e.g. only when nothing is installed). */
  when?: (current: InstalledPair) => boolean;
}

/** Install a fresh self-signed pair so a service pointed at the installed paths always has one. */
export function installSelfSigned(targets: CertTargets, opts: FallbackOptions): Promise<InstallOutcome> {
  return installCertificate(
    targets,
    async (current) => {
      if (opts.when && !opts.when(current)) return undefined;
      return { ...(await createSelfSigned(opts.keyType, opts.names, opts.now)), source: 'self-signed' };
    },
    { now: opts.now, backup: opts.backup },
  );
}

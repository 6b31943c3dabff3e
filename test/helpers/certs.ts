// Real certificates for tests, made by the openssl command line (not by the code under test).

import { execFileSync } from 'node:child_process';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MadeCert {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export interface CertSpec {
  subject?: string;
  san?: string;
  days?: number;
  /** openssl -newkey argument. */
  newkey?: string;
}

/** A self-signed certificate and its unencrypted key, written as `<name>.pem` and `<name>.key` in `dir`. */
export function opensslCert(dir: string, name: string, spec: CertSpec = {}): MadeCert {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  const args = ['req', '-x509', '-newkey', spec.newkey ?? 'ec', ...(spec.newkey ? [] : ['-pkeyopt', 'ec_paramgen_curve:P-256'])];
  args.push('-nodes', '-keyout', keyFile, '-out', certFile, '-days', String(spec.days ?? 90), '-subj', spec.subject ?? `/CN=${name}.example.com`);
  args.push('-addext', `subjectAltName=${spec.san ?? `DNS:${name}.example.com`}`);
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** `key` re-encrypted with a password, as PKCS#8 (`ENCRYPTED PRIVATE KEY`) or legacy PEM (`Proc-Type: 4,ENCRYPTED`). */
export function encryptedKey(keyFile: string, out: string, style: 'pkcs8' | 'legacy'): string {
  const args =
    style === 'pkcs8'
      ? ['pkcs8', '-topk8', '-in', keyFile, '-out', out, '-passout', 'pass:secret', '-v2', 'aes-256-cbc']
      : ['rsa', '-in', keyFile, '-out', out, '-aes256', '-passout', 'pass:secret', '-traditional'];
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(out, 'utf8');
}

/** `openssl x509 -noout <args>` on a PEM file. */
export function opensslX509(file: string, ...args: string[]): string {
  return execFileSync('openssl', ['x509', '-in', file, '-noout', ...args], { encoding: 'utf8' });
}

/** Whether `keyPem` is the private key of the first certificate in `chainPem` (their public keys are equal). */
export function pairMatches(chainPem: string, keyPem: string): boolean {
  const certKey = new X509Certificate(chainPem).publicKey.export({ type: 'spki', format: 'der' });
  const key = createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return certKey.equals(key);
}

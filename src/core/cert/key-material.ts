// Private keys: generation (PKCS#8 PEM), loading and matching (the key types are in keys.ts).

import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { lazyCrypto } from '../builtin.ts';
import { CliError } from '../errors.ts';
import { isKeyType, type KeyType } from './keys.ts';
import { certificateOf } from './pem.ts';

const CURVES = { 'ec-256': 'P-256', 'ec-384': 'P-384' } as const;

/** A fresh private key of `type` as unencrypted PKCS#8 PEM. */
export function generatePrivateKey(type: KeyType): string {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  if (type === 'ec-256' || type === 'ec-384') {
    return lazyCrypto().generateKeyPairSync('ec', { namedCurve: CURVES[type], privateKeyEncoding, publicKeyEncoding }).privateKey;
  }
  const modulusLength = Number(type.slice('rsa-'.length));
  return lazyCrypto().generateKeyPairSync('rsa', { modulusLength, privateKeyEncoding, publicKeyEncoding }).privateKey;
}

/**
 * generatePrivateKey off the main thread (libuv's pool): an order starts it before it waits for
 * the CA, so even an rsa-4096 key costs no time on the order's path.
 */
export async function generatePrivateKeyAsync(type: KeyType): Promise<string> {
  const privateKeyEncoding = { type: 'pkcs8', format: 'pem' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'pem' } as const;
  if (type === 'ec-256' || type === 'ec-384') {
    return (await promisify(lazyCrypto().generateKeyPair)('ec', { namedCurve: CURVES[type], privateKeyEncoding, publicKeyEncoding })).privateKey;
  }
  const modulusLength = Number(type.slice('rsa-'.length));
  return (await promisify(lazyCrypto().generateKeyPair)('rsa', { modulusLength, privateKeyEncoding, publicKeyEncoding })).privateKey;
}

/** Legacy (`Proc-Type: 4,ENCRYPTED`) and PKCS#8 (`ENCRYPTED PRIVATE KEY`) password protection. */
export function isEncryptedKeyPem(pem: string): boolean {
  return /-----BEGIN ENCRYPTED PRIVATE KEY-----/.test(pem) || /^Proc-Type:\s*4,\s*ENCRYPTED\s*$/m.test(pem);
}

export const ENCRYPTED_KEY_MESSAGE = 'key file is password protected - certnode needs an unencrypted key';

/** Load a PEM private key; a password-protected one is refused with a message that says so. */
export function loadPrivateKey(pem: string): KeyObject {
  if (isEncryptedKeyPem(pem)) throw new CliError(ENCRYPTED_KEY_MESSAGE);
  try {
    return lazyCrypto().createPrivateKey({ key: pem, format: 'pem' });
  } catch (err) {
    throw new CliError(`unable to load private key - ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Whether `keyPem` is the private key of the first certificate of `chainPem`. */
export function keyMatchesCertificate(keyPem: string, chainPem: string): boolean {
  const key = loadPrivateKey(keyPem);
  try {
    return certificateOf(chainPem).checkPrivateKey(key);
  } catch {
    return false;
  }
}

/** OpenSSL's short name and size of a key, as `cert info` shows them. */
export function describePublicKey(key: KeyObject): { type: string; bits: number | undefined } {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { type: 'rsaEncryption', bits: details.modulusLength };
    case 'rsa-pss':
      return { type: 'rsassaPss', bits: details.modulusLength };
    case 'ec':
      return { type: 'id-ecPublicKey', bits: CURVE_BITS[details.namedCurve ?? ''] };
    case 'ed25519':
      return { type: 'ED25519', bits: 253 };
    case 'ed448':
      return { type: 'ED448', bits: 456 };
    default:
      return { type: key.asymmetricKeyType ?? 'unknown', bits: undefined };
  }
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, 'P-256': 256, secp384r1: 384, 'P-384': 384, secp521r1: 521, 'P-521': 521, secp256k1: 256 };

/** The key type a key has, when it is one certnode would generate. */
export function keyTypeOf(key: KeyObject): KeyType | undefined {
  const { type, bits } = describePublicKey(key);
  const name = type === 'rsaEncryption' ? `rsa-${bits}` : type === 'id-ecPublicKey' ? `ec-${bits}` : '';
  return isKeyType(name) ? name : undefined;
}

// Key types certnode offers for accounts (and, later, certificates), and their generation.

import { lazyCrypto } from '../builtin.ts';
import { UsageError } from '../errors.ts';

export const KEY_TYPES = ['ec-256', 'ec-384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DEFAULT_KEY_TYPE: KeyType = 'ec-256';

export function parseKeyType(value: string, param = 'key-type'): KeyType {
  if (!(KEY_TYPES as readonly string[]).includes(value)) {
    throw new UsageError(`value '${value}' does not have a value in the enumeration '${KEY_TYPES.join(', ')}'`, param);
  }
  return value as KeyType;
}

/** A new private key as PKCS#8 PEM. */
export function generatePrivateKey(type: KeyType): Promise<string> {
  const encoding = { privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } } as const;
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, _pub: string, priv: string): void => (err ? reject(err) : resolve(priv));
    if (type.startsWith('ec-')) {
      lazyCrypto().generateKeyPair('ec', { namedCurve: type === 'ec-256' ? 'P-256' : 'P-384', ...encoding }, done);
    } else {
      lazyCrypto().generateKeyPair('rsa', { modulusLength: Number(type.slice(4)), ...encoding }, done);
    }
  });
}

/** The type of a PEM private key, when it is one certnode offers. */
export function keyTypeOf(pem: string): KeyType | undefined {
  try {
    const key = lazyCrypto().createPrivateKey(pem);
    const details = key.asymmetricKeyDetails;
    if (key.asymmetricKeyType === 'ec') return details?.namedCurve === 'prime256v1' ? 'ec-256' : details?.namedCurve === 'secp384r1' ? 'ec-384' : undefined;
    if (key.asymmetricKeyType === 'rsa') {
      const type = `rsa-${details?.modulusLength}`;
      return (KEY_TYPES as readonly string[]).includes(type) ? (type as KeyType) : undefined;
    }
  } catch {
    // not a key we can read: not the same as any type asked for
  }
  return undefined;
}

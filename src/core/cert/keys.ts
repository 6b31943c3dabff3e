// The key types certnode offers. No node:crypto here: the command tree and node.cfg's checks
// need these names at start-up, where loading OpenSSL's bindings would cost every command
// (generation, loading and matching of keys are in key-material.ts).

import { UsageError } from '../errors.ts';

export const KEY_TYPES = ['ec-256', 'ec-384', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
export type KeyType = (typeof KEY_TYPES)[number];
export const DEFAULT_KEY_TYPE: KeyType = 'ec-256';

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

export function checkKeyType(value: string, param: string): KeyType {
  if (!isKeyType(value)) throw new UsageError(`value '${value}' does not have a value in the enumeration '${KEY_TYPES.join(', ')}'`, param);
  return value;
}


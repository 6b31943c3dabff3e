// Proxmox property strings: `key=value,key=value`, optionally with a default key.

import { UsageError } from '../errors.ts';

export interface PropertySchema {
  keys: readonly string[];
  defaultKey?: string;
}

/** Parse strictly (for values the user sets); errors use pvenode's wording. */
export function parsePropertyString(value: string, schema: PropertySchema, param: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of value.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let val: string;
    if (eq === -1) {
      if (!schema.defaultKey) throw new UsageError('value without key, but schema does not define a default key', param);
      key = schema.defaultKey;
      val = part;
    } else {
      key = part.slice(0, eq);
      val = part.slice(eq + 1);
    }
    if (!schema.keys.includes(key)) throw new UsageError(`invalid key in comma-separated list property: ${key}`, param);
    if (result.has(key)) throw new UsageError(`duplicate key in comma-separated list property: ${key}`, param);
    result.set(key, val);
  }
  return result;
}

/** Serialize in the given key order, default key written bare first. */
export function printPropertyString(props: Map<string, string>, schema: PropertySchema): string {
  const parts: string[] = [];
  if (schema.defaultKey && props.has(schema.defaultKey)) parts.push(props.get(schema.defaultKey)!);
  for (const key of schema.keys) {
    if (key === schema.defaultKey || !props.has(key)) continue;
    parts.push(`${key}=${props.get(key)!}`);
  }
  return parts.join(',');
}

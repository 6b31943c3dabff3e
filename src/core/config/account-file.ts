// ACME account files (acme/accounts/<name>): Proxmox's JSON shape, parsed and serialized (pure).
// PVE writes `directory`, PBS `directoryUrl`; both are read, PVE's is written.

import { toJson } from '../output/render.ts';
import { ConfigError } from '../errors.ts';
import { keyTypeOf } from '../acme/keys.ts';

export interface AccountFile {
  /** The account object as the CA returned it. */
  account: Record<string, unknown>;
  directory: string;
  /** PEM private key. */
  key: string;
  location: string;
  /** The terms of service URL agreed to, if any. */
  tos?: string;
  /**
   * A key rollover under way (acme account rollover): the new PEM key, kept beside the old one
   * until the switch is confirmed. Which of the two the CA accepts is asked before the next use.
   */
  rollover?: { key: string };
  /** Keys certnode does not know, kept on rewrite. */
  extra: Record<string, unknown>;
}

/** Deeper than any CA's account object; showing a deeper one would exhaust the stack. */
export const MAX_JSON_DEPTH = 64;

/** The nesting depth of a parsed JSON value, counted without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, depth);
    if (max > limit) return max;
    for (const child of Object.values(v as object)) stack.push([child, depth + 1]);
  }
  return max;
}

const KNOWN = new Set(['account', 'directory', 'directoryUrl', 'key', 'location', 'tos', 'rollover']);

export function parseAccountFile(text: string, file: string): AccountFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`invalid JSON - ${err instanceof Error ? err.message : String(err)}`, file);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new ConfigError('not a JSON object', file);
  if (jsonDepth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) throw new ConfigError(`JSON nested more than ${MAX_JSON_DEPTH} levels deep`, file);
  const obj = data as Record<string, unknown>;
  const str = (key: string): string | undefined => (typeof obj[key] === 'string' ? (obj[key] as string) : undefined);
  const directory = str('directory') ?? str('directoryUrl');
  const key = str('key');
  const location = str('location');
  if (!directory) throw new ConfigError("missing 'directory'", file);
  if (!key) throw new ConfigError("missing 'key'", file);
  if (!location) throw new ConfigError("missing 'location'", file);
  const account = obj.account !== null && typeof obj.account === 'object' && !Array.isArray(obj.account) ? (obj.account as Record<string, unknown>) : {};
  const extra = Object.fromEntries(Object.entries(obj).filter(([k]) => !KNOWN.has(k)));
  const tos = str('tos');
  const pending = obj.rollover as { key?: unknown } | null | undefined;
  const rollover = pending !== null && typeof pending === 'object' && typeof pending.key === 'string' ? { key: pending.key } : undefined;
  return { account, directory, key, location, ...(tos ? { tos } : {}), ...(rollover ? { rollover } : {}), extra };
}

/** PVE style: pretty, keys sorted, trailing newline. */
export function serializeAccountFile(acc: AccountFile): string {
  const { extra, ...known } = acc;
  return `${toJson({ ...extra, ...known }, true)}\n`;
}

/** What `account info` shows: everything but the private key (its type instead). */
export function accountInfo(acc: AccountFile): Record<string, unknown> {
  const keyType = keyTypeOf(acc.key);
  return {
    account: acc.account,
    directory: acc.directory,
    ...(keyType ? { 'key-type': keyType } : {}),
    location: acc.location,
    ...(acc.rollover ? { rollover: `pending (new key ${keyTypeOf(acc.rollover.key) ?? 'of unknown type'})` } : {}),
    ...(acc.tos ? { tos: acc.tos } : {}),
  };
}

// ACME account files (acme/accounts/<name>): Proxmox's JSON shape, parsed and serialized (pure).
// PVE writes `directory` (Perl JSON: keys sorted, 3-space indent, `"k" : v`, final newline), PBS
// `directoryUrl` (serde: its struct order, 2-space indent, `"k": v`, no final newline). Both are
// read; a file is rewritten in its own writer's format, a new one in PVE's (certnode's own).

import { toJson } from '../output/render.ts';
import { ConfigError } from '../errors.ts';
import { keyTypeOf } from '../acme/keys.ts';

export type AccountFileFormat = 'pve' | 'pbs';

export interface AccountFile {
  /** Whose format the file is in (kept on rewrite); undefined: PVE's. */
  format?: AccountFileFormat;
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
  const format: AccountFileFormat = str('directoryUrl') !== undefined && str('directory') === undefined ? 'pbs' : 'pve';
  return { format, account, directory, key, location, ...(tos ? { tos } : {}), ...(rollover ? { rollover } : {}), extra };
}

/** PBS's AccountData field order (proxmox-acme); the CA's other fields follow. */
const PBS_ACCOUNT_ORDER = ['status', 'orders', 'contact', 'termsOfServiceAgreed', 'externalAccountBinding'];

/**
 * The account object to write: what the CA returned, plus `termsOfServiceAgreed` when the file
 * had it and the CA did not echo it (an agreement is not withdrawn by an update). For PBS every
 * object keeps the file's key order (the CA may answer in another); new keys of the account go
 * to their place in PBS's struct order, others last.
 */
function accountObject(acc: AccountFile, previous: AccountFile | undefined): Record<string, unknown> {
  const account = { ...acc.account };
  if (previous && previous.account.termsOfServiceAgreed !== undefined && account.termsOfServiceAgreed === undefined) {
    account.termsOfServiceAgreed = previous.account.termsOfServiceAgreed;
  }
  if (acc.format !== 'pbs') return account;
  const order = Object.keys(previous?.account ?? {}).filter((k) => k in account);
  for (const key of Object.keys(account)) {
    if (order.includes(key)) continue;
    const rank = PBS_ACCOUNT_ORDER.indexOf(key);
    const at = rank === -1 ? -1 : order.findIndex((k) => PBS_ACCOUNT_ORDER.indexOf(k) === -1 || PBS_ACCOUNT_ORDER.indexOf(k) > rank);
    if (at === -1) order.push(key);
    else order.splice(at, 0, key);
  }
  return Object.fromEntries(order.map((k) => [k, orderedLike(account[k], previous?.account[k])]));
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** `value` with the keys of its objects in the order `like` has them (new keys after). */
function orderedLike(value: unknown, like: unknown): unknown {
  if (Array.isArray(value)) return value.map((v, i) => orderedLike(v, Array.isArray(like) ? like[i] : undefined));
  if (!isPlainObject(value)) return value;
  const before = isPlainObject(like) ? like : {};
  const keys = [...Object.keys(before).filter((k) => k in value), ...Object.keys(value).filter((k) => !(k in before))];
  return Object.fromEntries(keys.map((k) => [k, orderedLike(value[k], before[k])]));
}

/**
 * The file for `acc`, in its format (`acc.format`). `previous` is the text of the file being
 * replaced, if any: the account object keeps its key order and agreement from it.
 */
export function serializeAccountFile(acc: AccountFile, previous?: string): string {
  let before: AccountFile | undefined;
  try {
    before = previous === undefined ? undefined : parseAccountFile(previous, 'previous');
  } catch {
    before = undefined;
  }
  const { extra, format: _format, ...known } = acc;
  const account = accountObject(acc, before);
  if (acc.format !== 'pbs') return `${toJson({ ...extra, ...known, account }, true)}\n`;
  const { debug, ...others } = extra;
  const { directory, location, key, tos, rollover } = known;
  const file = { location, account, key, ...(tos !== undefined ? { tos } : {}), ...(debug !== undefined && debug !== false ? { debug } : {}), directoryUrl: directory, ...others, ...(rollover ? { rollover } : {}) };
  return serdePretty(file, '') + (previous?.endsWith('\n') ? '\n' : '');
}

/** serde_json's pretty printer: 2-space indent, `"k": v`, keys in the object's order. */
function serdePretty(value: unknown, indent: string): string {
  if (value === undefined || value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + serdePretty(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${serdePretty(v, inner)}`).join(',\n')}\n${indent}}`;
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

// Value formats and their error texts (Proxmox's wording, reference §4).

import { lazyNet } from '../builtin.ts';
import { UsageError } from '../errors.ts';

/**
 * net.isIP, with node:net loaded (and its IPv6 pattern compiled) only for text that could be an
 * address: digits and dots, or anything with a ':'. Host names never pay for it.
 */
function isIP(value: string): number {
  if (!value.includes(':') && !/^[\d.]+$/.test(value)) return 0;
  return lazyNet().isIP(value);
}

/** pve-configid: plugin ids and account names. */
const CONFIG_ID = /^[a-z][a-z0-9_-]+$/i;
const DNS_LABEL = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/i;
const ALIAS_LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?$/i;
const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const EMAIL = /^[\w+\-~]+(\.[\w+\-~]+)*@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;
const DNS_API = /^[a-z0-9][a-z0-9_]*$/i;

/** Plugin ids and account names: at most this long (PBS's SAFE_ID limit; PVE's ids are file and section names too). */
export const MAX_CONFIG_ID_LENGTH = 32;

export function isConfigId(value: string): boolean {
  return value.length <= MAX_CONFIG_ID_LENGTH && CONFIG_ID.test(value);
}

export function checkConfigId(value: string, param: string): string {
  if (value.length > MAX_CONFIG_ID_LENGTH) {
    throw new UsageError(`invalid format - invalid configuration ID '${shorten(value)}' (at most ${MAX_CONFIG_ID_LENGTH} characters)`, param);
  }
  if (!isConfigId(value)) throw new UsageError(`invalid format - invalid configuration ID '${shorten(value)}'`, param);
  return value;
}

/** A value as an error message may quote it: one line, at most 64 characters. */
export function shorten(value: string, max = 64): string {
  const oneLine = value.replace(/[\x00-\x1f\x7f]/g, '?');
  return oneLine.length > max ? `${oneLine.slice(0, max)}...` : oneLine;
}

export function checkDnsApi(value: string, param = 'api'): string {
  if (!DNS_API.test(value)) throw new UsageError(`invalid format - invalid DNS API name '${value}'`, param);
  return value;
}

function isDnsName(value: string, label: RegExp): boolean {
  if (value.length > 253) return false;
  const labels = value.split('.');
  // an all-numeric last label is no top-level domain: '999.1.1.1' is a broken IPv4 address, not a name
  return labels.length >= 2 && labels.every((l) => l.length <= 63 && label.test(l)) && !/^\d+$/.test(labels.at(-1)!);
}

export type IdentifierKind = 'dns' | 'wildcard' | 'ip';

/** What kind of ACME identifier a configured domain is, or undefined when invalid. */
export function identifierKind(value: string): IdentifierKind | undefined {
  if (isIP(value)) return 'ip';
  if (value.startsWith('*.')) return isDnsName(value.slice(2), DNS_LABEL) ? 'wildcard' : undefined;
  return isDnsName(value, DNS_LABEL) ? 'dns' : undefined;
}

export function checkDomain(value: string, param: string): IdentifierKind {
  const kind = identifierKind(value);
  if (!kind) throw new UsageError(`invalid format - value '${shorten(value)}' does not look like a valid domain name!`, param);
  return kind;
}

export function checkAlias(value: string, param: string): string {
  if (!isDnsName(value, ALIAS_LABEL)) {
    throw new UsageError(`invalid format - value '${value}' does not look like a valid alias name!`, param);
  }
  return value;
}

export function checkNodeList(value: string, param = 'nodes'): string[] {
  const nodes = splitList(value);
  for (const node of nodes) {
    if (!NODE_NAME.test(node)) throw new UsageError(`invalid format - value '${node}' does not look like a valid node name`, param);
  }
  return nodes;
}

/** Parse an e-mail list separated by `,`, `;` or white space. */
export function parseEmailList(value: string, param = 'contact'): string[] {
  const emails = splitList(value);
  if (emails.length === 0) throw new UsageError('invalid format - value does not look like a valid email address', param);
  for (const email of emails) {
    if (!EMAIL.test(email)) throw new UsageError(`invalid format - value '${email}' does not look like a valid email address`, param);
  }
  return emails;
}

export function splitList(value: string): string[] {
  return value.split(/[\s,;]+/).filter((item) => item !== '');
}

/** A plain integer: digits (a '-' for negatives), no spaces, no '+', no leading zeros. */
export function parseInteger(value: string, param: string, min: number, max: number): number {
  if (!/^-?(0|[1-9]\d{0,15})$/.test(value)) throw new UsageError(`type check ('integer') failed - got '${shorten(value)}'`, param);
  const n = Number.parseInt(value, 10);
  if (n < min) throw new UsageError(`value must have a minimum value of ${min}`, param);
  if (n > max) throw new UsageError(`value must have a maximum value of ${max}`, param);
  return n;
}

const TRUE_WORDS = new Set(['1', 'yes', 'true', 'on']);
const FALSE_WORDS = new Set(['0', 'no', 'false', 'off']);

export function isBooleanWord(value: string): boolean {
  const v = value.toLowerCase();
  return TRUE_WORDS.has(v) || FALSE_WORDS.has(v);
}

export function parseBoolean(value: string, param: string): boolean {
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return true;
  if (FALSE_WORDS.has(v)) return false;
  throw new UsageError(`unable to parse boolean option '${value}'`, param);
}

export function checkIpAddress(value: string, param: string): string {
  if (!isIP(value)) throw new UsageError(`invalid format - value '${shorten(value)}' is not a valid IP address`, param);
  return value;
}

/** Elements of a `;`-separated list (as in `domains=`); an empty element is an error, not skipped. */
export function splitStrictList(value: string, param: string, what: string): string[] {
  if (value === '') return [];
  const items = value.split(';');
  if (items.some((i) => i.trim() === '')) throw new UsageError(`invalid format - empty element in the ${what} list '${shorten(value)}'`, param);
  return items;
}

/** The largest plugin data (all KEY=VALUE lines together), checked on every write. */
export const MAX_PLUGIN_DATA_BYTES = 64 * 1024;

/**
 * Plugin data as stored: KEY=VALUE lines. Refuses more than MAX_PLUGIN_DATA_BYTES and control
 * characters (NUL, CR, ESC, ...) in values, naming the key but never the value (it is a secret).
 */
export function checkPluginData(data: string, param = 'data'): string {
  const bytes = Buffer.byteLength(data, 'utf8');
  if (bytes > MAX_PLUGIN_DATA_BYTES) throw new UsageError(`plugin data is ${bytes} bytes, more than the limit of ${MAX_PLUGIN_DATA_BYTES}`, param);
  data.split('\n').forEach((line, i) => {
    const bad = /[\x00-\x08\x0b-\x1f\x7f]/.exec(line);
    if (!bad) return;
    const key = /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1];
    const code = `U+${bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new UsageError(`${key ? `the value of ${key}` : `line ${i + 1}`} contains a control character (${code})`, param);
  });
  return data;
}

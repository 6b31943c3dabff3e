// Value formats and their error texts (Proxmox's wording, reference §4).

import { isIP } from 'node:net';
import { UsageError } from '../errors.ts';

/** pve-configid: plugin ids and account names. */
const CONFIG_ID = /^[a-z][a-z0-9_-]+$/i;
const DNS_LABEL = /^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$/i;
const ALIAS_LABEL = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9])?$/i;
const NODE_NAME = /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/;
const EMAIL = /^[\w+\-~]+(\.[\w+\-~]+)*@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*$/;
const DNS_API = /^[a-z0-9][a-z0-9_]*$/i;

export function isConfigId(value: string): boolean {
  return CONFIG_ID.test(value);
}

export function checkConfigId(value: string, param: string): string {
  if (!isConfigId(value)) throw new UsageError(`invalid format - invalid configuration ID '${value}'`, param);
  return value;
}

export function checkDnsApi(value: string, param = 'api'): string {
  if (!DNS_API.test(value)) throw new UsageError(`invalid format - invalid DNS API name '${value}'`, param);
  return value;
}

function isDnsName(value: string, label: RegExp): boolean {
  if (value.length > 253) return false;
  const labels = value.split('.');
  return labels.length >= 2 && labels.every((l) => l.length <= 63 && label.test(l));
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
  if (!kind) throw new UsageError(`invalid format - value '${value}' does not look like a valid domain name!`, param);
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

export function parseInteger(value: string, param: string, min: number, max: number): number {
  if (!/^[+-]?\d+$/.test(value.trim())) throw new UsageError(`type check ('integer') failed - got '${value}'`, param);
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
  if (!isIP(value)) throw new UsageError(`invalid format - value '${value}' is not a valid IP address`, param);
  return value;
}

// Where acme.sh DNS API scripts (dns_<api>.sh) are found, and what their dns_<api>_info block
// says about them. The block is parsed as text: a script is never run to read its metadata.

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Paths } from '../paths.ts';
import { loadNodeConfig } from '../config/repo.ts';
import { DNSAPI_DIR_KEY } from '../config/node.ts';

export interface SearchDir {
  dir: string;
  /** Why this directory is searched (env, node setting, default). */
  source: string;
}

/** Node setting (node.cfg key) naming a directory of dns_<api>.sh scripts. */
export const DNSAPI_DIR_SETTING = DNSAPI_DIR_KEY;

/**
 * Search order: $CERTNODE_DNSAPI_DIR, node.cfg `dnsapi-dir`, a Proxmox host's scripts, an
 * acme.sh install (root's and $HOME's), distribution packages of acme.sh.
 */
export function dnsapiSearchDirs(paths: Paths, env: Readonly<Record<string, string | undefined>>): SearchDir[] {
  const dirs: SearchDir[] = [];
  if (env.CERTNODE_DNSAPI_DIR) dirs.push({ dir: env.CERTNODE_DNSAPI_DIR, source: 'CERTNODE_DNSAPI_DIR' });
  const setting = loadNodeConfig(paths).config.entries.get(DNSAPI_DIR_SETTING);
  if (setting) dirs.push({ dir: setting, source: `node setting ${DNSAPI_DIR_SETTING}` });
  dirs.push({ dir: '/usr/share/proxmox-acme/dnsapi', source: 'Proxmox' });
  dirs.push({ dir: '/root/.acme.sh/dnsapi', source: 'acme.sh install' });
  if (env.HOME && env.HOME !== '/root') dirs.push({ dir: path.join(env.HOME, '.acme.sh', 'dnsapi'), source: 'acme.sh install' });
  dirs.push({ dir: '/usr/share/acme.sh/dnsapi', source: 'acme.sh package' });
  dirs.push({ dir: '/usr/lib/acme.sh/dnsapi', source: 'acme.sh package' });
  const seen = new Set<string>();
  return dirs.filter((d) => {
    const key = path.resolve(d.dir);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const SCRIPT_NAME = /^dns_([a-z0-9_]+)\.sh$/i;

export function scriptFileName(api: string): string {
  return `dns_${api}.sh`;
}

/** The first dns_<api>.sh in the search order, or undefined. */
export function findDnsApiScript(api: string, dirs: readonly SearchDir[]): string | undefined {
  for (const { dir } of dirs) {
    const file = path.join(dir, scriptFileName(api));
    try {
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface FoundApi {
  api: string;
  script: string;
}

/** Every api found, the first directory winning for a name, sorted by name. */
export function listDnsApis(dirs: readonly SearchDir[]): FoundApi[] {
  const found = new Map<string, string>();
  for (const { dir } of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = SCRIPT_NAME.exec(name);
      if (!m || found.has(m[1]!)) continue;
      const file = path.join(dir, name);
      try {
        if (fs.statSync(file).isFile()) found.set(m[1]!, file);
      } catch {
        // vanished
      }
    }
  }
  return [...found].map(([api, script]) => ({ api, script })).sort((a, b) => (a.api < b.api ? -1 : a.api > b.api ? 1 : 0));
}

export interface ApiField {
  name: string;
  description: string;
  optional: boolean;
  default?: string;
  /** Options, OptionsAlt (an alternative credential set), Optional; `code` = read by the script but not documented. */
  group: string;
}

export interface ApiInfo {
  api: string;
  /** Provider title (the api name when the block has none). */
  name: string;
  description?: string;
  site?: string;
  docs?: string;
  issues?: string;
  author?: string;
  domains?: string;
  /** Titles given after `Options:` / `OptionsAlt:`. */
  optionsTitle?: string;
  optionsAltTitle?: string;
  /** Other `Keyword: value` lines (Notes, Signature, ...). */
  other: Record<string, string>;
  fields: ApiField[];
  /** False when the script has no dns_<api>_info block. */
  hasInfo: boolean;
}

const OPTION_SECTIONS = new Set(['Options', 'OptionsAlt', 'Optional']);
const KNOWN_KEYWORDS = new Set(['Site', 'Docs', 'Issues', 'Author', 'Domains', 'Notes', 'Signature', ...OPTION_SECTIONS]);
/** `Keyword:` at column 0: a known keyword, or one CamelCase word without '_' (not a variable name). */
const SECTION_LINE = /^([A-Z][A-Za-z]*):(?:\s+(.*?))?\s*$/;
/** A variable name as option lines use them: has a '_' or is all upper case. */
const FIELD_NAME = /^(?:[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]*|_[A-Za-z0-9_]+|[A-Z][A-Z0-9]+)$/;
const OPTION_LINE = /^\s*([A-Za-z_][A-Za-z0-9_]*)(?:\s+(.*?))?\s*$/;

/** The single-quoted value of `dns_<api>_info='…'` (it never contains a quote), or undefined. */
export function extractInfoBlock(script: string, api: string): string | undefined {
  const re = new RegExp(`^[ \\t]*(?:export[ \\t]+)?dns_${api}_info='([^']*)'`, 'm');
  return re.exec(script)?.[1];
}

/** What the script's info block says, plus variables the code reads that the block does not name. */
export function parseApiInfo(api: string, script: string): ApiInfo {
  const block = extractInfoBlock(script, api);
  const info: ApiInfo = { api, name: api, other: {}, fields: [], hasInfo: block !== undefined };
  if (block !== undefined) {
    if (/^\s*[[{]/.test(block)) parseJsonBlock(block, info);
    else parseTextBlock(block, info);
  }
  const documented = new Set(info.fields.map((f) => f.name));
  for (const name of variablesReadByCode(script)) {
    if (documented.has(name)) continue;
    documented.add(name);
    info.fields.push({ name, description: 'read by the script, not documented in its info block', optional: true, group: 'code' });
  }
  return info;
}

function parseTextBlock(block: string, info: ApiInfo): void {
  const lines = block.split('\n').map((l) => l.replace(/\r$/, ''));
  while (lines.length && lines[0]!.trim() === '') lines.shift();
  if (lines.length === 0) return;
  info.name = lines.shift()!.trim() || info.api;
  const description: string[] = [];
  let section: string | undefined;
  let last: ApiField | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const sec = SECTION_LINE.exec(line);
    if (sec && (KNOWN_KEYWORDS.has(sec[1]!) || !FIELD_NAME.test(sec[1]!))) {
      const [, keyword, value = ''] = sec as unknown as [string, string, string | undefined];
      section = keyword;
      last = undefined;
      switch (keyword) {
        case 'Site':
          info.site = value;
          break;
        case 'Docs':
          info.docs = value;
          break;
        case 'Issues':
          info.issues = value;
          break;
        case 'Author':
          info.author = value;
          break;
        case 'Domains':
          info.domains = value;
          break;
        case 'Options':
          if (value) info.optionsTitle = value;
          break;
        case 'OptionsAlt':
          if (value) info.optionsAltTitle = value;
          break;
        case 'Optional':
          break;
        default:
          info.other[keyword] = value;
      }
      continue;
    }
    if (section === undefined) {
      // description lines directly after the title (one leading space by convention)
      description.push(line.trim());
      continue;
    }
    if (OPTION_SECTIONS.has(section)) {
      const opt = OPTION_LINE.exec(line);
      if (opt && FIELD_NAME.test(opt[1]!)) {
        last = makeField(opt[1]!, opt[2] ?? '', section);
        info.fields.push(last);
      } else if (last) {
        // a wrapped description
        last.description = `${last.description} ${line.trim()}`.trim();
        refreshFlags(last);
      }
      continue;
    }
    // continuation of a keyword's value
    if (section in info.other) info.other[section] = `${info.other[section]} ${line.trim()}`.trim();
  }
  if (description.length) info.description = description.join(' ');
}

function makeField(name: string, description: string, group: string): ApiField {
  const field: ApiField = { name, description: description.trim(), optional: group === 'Optional', group };
  refreshFlags(field);
  return field;
}

/** `Optional.` marks an optional variable, `Default: "value".` its default (also lower-case). */
function refreshFlags(field: ApiField): void {
  if (/(^|[\s(])Optional\b/i.test(field.description)) field.optional = true;
  const def = /\bDefault:\s*(?:"([^"]*)"|'([^']*)'|(\S+?))[.,;)]?(?:\s|$)/i.exec(field.description);
  if (def) {
    field.default = def[1] ?? def[2] ?? def[3];
    field.optional = true;
  }
}

/** The JSON variant: an array of {name, usage|description, required} objects. */
function parseJsonBlock(block: string, info: ApiInfo): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(block);
  } catch {
    return;
  }
  const items = Array.isArray(parsed) ? parsed : typeof parsed === 'object' && parsed !== null ? Object.values(parsed) : [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const o = item as Record<string, unknown>;
    if (typeof o.name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.name)) continue;
    const description = typeof o.usage === 'string' ? o.usage : typeof o.description === 'string' ? o.description : '';
    const required = o.required === true || o.required === 1 || o.required === 'true' || o.required === 'yes';
    const field: ApiField = { name: o.name, description, optional: !required, group: 'Options' };
    if (typeof o.default === 'string') field.default = o.default;
    info.fields.push(field);
  }
}

/** Names in `_readaccountconf_mutable NAME` / `_readaccountconf NAME` / `_readdomainconf NAME` calls (comments skipped). */
export function variablesReadByCode(script: string): string[] {
  const names: string[] = [];
  for (const line of script.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(/\b_read(?:accountconf_mutable|accountconf|domainconf)\s+"?([A-Za-z_][A-Za-z0-9_]*)"?/g)) {
      if (!names.includes(m[1]!)) names.push(m[1]!);
    }
  }
  return names;
}

/** Reads and parses one script's metadata (text only). */
export function readApiInfo(found: FoundApi): ApiInfo {
  return parseApiInfo(found.api, fs.readFileSync(found.script, 'utf8'));
}

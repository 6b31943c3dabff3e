// plugins.cfg: Proxmox section-config format (reference §2.1). Pure parse/serialize.
// Reads what PVE and PBS write; writes one canonical form; keeps unknown properties.

import { ConfigError } from '../errors.ts';

export interface PluginSection {
  type: string;
  id: string;
  /** Property values as stored (data still base64), in file order; unknown ones included. */
  props: Map<string, string>;
}

export interface PluginsConfig {
  sections: PluginSection[];
}

export const STANDALONE_ID = 'standalone';

const HEADER = /^(\S+):\s*(\S+)\s*$/;
const PROPERTY = /^\s+(\S+)(?:\s+(.*\S))?\s*$/;
const BOOLEAN_PROPS = new Set(['disable']);

export function parsePluginsCfg(text: string, file: string): PluginsConfig {
  const sections: PluginSection[] = [];
  const seen = new Set<string>();
  let current: PluginSection | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\r$/, '');
    if (/^\s*$/.test(line)) {
      current = undefined;
      return;
    }
    if (/^\s*#/.test(line)) return;
    if (/^\s/.test(line)) {
      if (!current) throw new ConfigError('syntax error (expected header)', file, lineNo);
      const m = PROPERTY.exec(line);
      if (!m) throw new ConfigError(`unable to parse property line '${line.trim()}'`, file, lineNo);
      const key = m[1]!;
      let value = m[2] ?? '';
      if (current.props.has(key)) throw new ConfigError(`duplicate property '${key}' in section '${current.id}'`, file, lineNo);
      if (BOOLEAN_PROPS.has(key)) {
        const b = value === '' ? true : parseBoolWord(value);
        if (b === undefined) throw new ConfigError(`property '${key}': unable to parse boolean '${value}'`, file, lineNo);
        value = b ? '1' : '0';
      } else if (value === '') {
        throw new ConfigError(`property '${key}' has no value`, file, lineNo);
      }
      current.props.set(key, value);
      return;
    }
    const m = HEADER.exec(line);
    if (!m) throw new ConfigError(`syntax error (expected header 'type: id', got '${line.trim()}')`, file, lineNo);
    const [, type, id] = m as unknown as [string, string, string];
    if (seen.has(id)) throw new ConfigError(`duplicate section '${id}'`, file, lineNo);
    seen.add(id);
    current = { type, id, props: new Map() };
    sections.push(current);
  });
  return withImplicitStandalone({ sections });
}

/** Both products insert `standalone: standalone` when the file lacks it (or misuses the id). */
function withImplicitStandalone(cfg: PluginsConfig): PluginsConfig {
  const index = cfg.sections.findIndex((s) => s.id === STANDALONE_ID);
  const existing = cfg.sections[index];
  if (existing && existing.type === 'standalone') return cfg;
  const implicit: PluginSection = { type: 'standalone', id: STANDALONE_ID, props: new Map() };
  if (existing) cfg.sections[index] = implicit;
  else cfg.sections.push(implicit);
  return cfg;
}

/** certnode's canonical form: PVE layout (api first, the rest sorted), every section followed by a blank line. */
export function serializePluginsCfg(cfg: PluginsConfig): string {
  let out = '';
  for (const section of withImplicitStandalone(cfg).sections) {
    out += `${section.type}: ${section.id}\n`;
    const keys = [...section.props.keys()].sort((a, b) => (a === 'api' ? -1 : b === 'api' ? 1 : a < b ? -1 : a > b ? 1 : 0));
    for (const key of keys) {
      let value = section.props.get(key)!;
      if (BOOLEAN_PROPS.has(key) && value === '0') continue; // PVE writes a flag only when set
      if (key === 'data') value = canonicalData(value);
      out += `\t${key} ${value}\n`;
    }
    out += '\n';
  }
  return out;
}

function parseBoolWord(value: string): boolean | undefined {
  const v = value.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return undefined;
}

/** Decode plugin data: base64url without padding as written, standard base64 or padding accepted. */
export function decodePluginData(stored: string): string | undefined {
  const normalized = stored.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(normalized) || normalized.length % 4 === 1) return undefined;
  const bytes = Buffer.from(normalized, 'base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

export function encodePluginData(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function canonicalData(stored: string): string {
  const decoded = decodePluginData(stored);
  return decoded === undefined ? stored : encodePluginData(decoded);
}

// node.cfg: `key: value` lines plus the `#` description block (reference §2.3). Pure parse/serialize.

import { ConfigError } from '../errors.ts';

export interface NodeConfig {
  description: string | undefined;
  /** Raw values in file order; unknown keys are kept. */
  entries: Map<string, string>;
}

const ENTRY = /^([A-Za-z][A-Za-z0-9_-]*):\s*(.*?)\s*$/;

export function parseNodeCfg(text: string, file: string): NodeConfig {
  const entries = new Map<string, string>();
  const description: string[] = [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) {
      description.push(uriUnescape(line.slice(1)));
      return;
    }
    if (/^\s*$/.test(line)) return;
    const m = ENTRY.exec(line);
    if (!m) throw new ConfigError(`unable to parse line '${line}' (expected 'key: value')`, file, index + 1);
    const key = m[1]!;
    if (entries.has(key)) throw new ConfigError(`duplicate key '${key}'`, file, index + 1);
    entries.set(key, m[2]!);
  });
  return { description: description.length ? description.join('\n') : undefined, entries };
}

export function serializeNodeCfg(cfg: NodeConfig): string {
  let out = '';
  if (cfg.description !== undefined && cfg.description !== '') {
    for (const line of cfg.description.split('\n')) out += `#${uriEscape(line)}\n`;
  }
  for (const key of [...cfg.entries.keys()].sort()) {
    const value = cfg.entries.get(key)!;
    if (/[\r\n]/.test(value)) throw new ConfigError(`detected invalid newline inside property '${key}'`);
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new ConfigError(`detected a control character inside property '${key}'`);
    out += `${key}: ${value}\n`;
  }
  return out;
}

/** PVE escapes control and non-ASCII bytes, ':' and '%' in description lines. */
function uriEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 0x20 || byte >= 0x7f || c === ':' || c === '%' ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : c;
  }
  return out;
}

function uriUnescape(text: string): string {
  return text.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

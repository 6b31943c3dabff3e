// node.cfg: `key: value` lines plus the `#` description block (reference §2.3). Pure parse/serialize.
//
// Fidelity: the parsed file keeps its raw lines; serializing edits only the lines whose key or
// description changed (new keys go where the Proxmox writers put them: sorted among the keys),
// so an unchanged model gives back the original bytes and comments, blank lines and value
// spellings of untouched keys survive.

import { ConfigError } from '../errors.ts';
import { insertionPoint, LineEdits, splitLines } from './line-edits.ts';

export interface NodeConfig {
  description: string | undefined;
  /** Raw values in file order; unknown keys are kept. */
  entries: Map<string, string>;
}

/**
 * Whose description escaping a node.cfg uses: PVE %-escapes control and non-ASCII bytes, ':' and
 * '%' and reads every `#` line as description; PBS writes the leading `#` lines plain (later `#`
 * lines are comments).
 */
export type NodeCfgFlavour = 'pve' | 'pbs';
/** A file that shows no flavour (and a new one) is written as PVE writes, as certnode always has. */
export const DEFAULT_NODE_CFG_FLAVOUR: NodeCfgFlavour = 'pve';

export interface NodeCfgOptions {
  /** Known from the layout; otherwise detected from the file (see detectNodeCfgFlavour). */
  flavour?: NodeCfgFlavour | undefined;
}

/** The file as read, kept beside the model it was parsed into. */
interface Source {
  lines: string[];
  finalNewline: boolean;
  flavour: NodeCfgFlavour;
  description: string | undefined;
  /** Indexes of the description lines. */
  descriptionLines: number[];
  /** Key -> value and line index, as read. */
  entries: Map<string, { value: string; line: number }>;
}

const sources = new WeakMap<NodeConfig, Source>();

/** Keys as PBS writes them: letters, digits, '-', '_' and '.' (`ciphers-tls-1.3`). */
const ENTRY = /^([A-Za-z][A-Za-z0-9_.-]*):\s*(.*?)\s*$/;
/** Keys only PBS's node.cfg has. */
const PBS_ONLY_KEYS = new Set(['ciphers-tls-1.2', 'ciphers-tls-1.3', 'http-proxy', 'email-from', 'default-lang', 'task-log-max-days', 'consent-text', 'location']);
/** Keys only PVE's node config has. */
const PVE_ONLY_KEYS = new Set(['wakeonlan', 'startall-onboot-delay', 'ballooning-target']);

const isComment = (line: string): boolean => line.startsWith('#');
const stripCr = (line: string): string => line.replace(/\r$/, '');

/**
 * The flavour a file shows: PBS-only keys or a description line PVE would have escaped (a raw
 * ':', a '%' not starting an escape, a control or non-ASCII byte) say PBS; PVE-only keys or a
 * `%XX` escape say PVE; otherwise the default.
 */
export function detectNodeCfgFlavour(text: string): NodeCfgFlavour {
  let escapes = false;
  for (const raw of splitLines(text).lines) {
    const line = stripCr(raw);
    if (isComment(line)) {
      const body = line.slice(1);
      if (/[:\x00-\x1f\x7f-\uffff]|%(?![0-9A-Fa-f]{2})/.test(body)) return 'pbs';
      if (/%[0-9A-Fa-f]{2}/.test(body)) escapes = true;
      continue;
    }
    const key = ENTRY.exec(line)?.[1];
    if (key !== undefined && PBS_ONLY_KEYS.has(key)) return 'pbs';
    if (key !== undefined && (PVE_ONLY_KEYS.has(key) || key === 'acmedomain5')) escapes = true;
  }
  return escapes ? 'pve' : DEFAULT_NODE_CFG_FLAVOUR;
}

export function parseNodeCfg(text: string, file: string, opts: NodeCfgOptions = {}): NodeConfig {
  const flavour = opts.flavour ?? detectNodeCfgFlavour(text);
  const { lines, finalNewline } = splitLines(text);
  const entries = new Map<string, string>();
  const source: Source = { lines, finalNewline, flavour, description: undefined, descriptionLines: [], entries: new Map() };
  const description: string[] = [];
  let leading = true;
  lines.forEach((raw, index) => {
    const line = stripCr(raw);
    if (isComment(line)) {
      // PBS: only the leading block is the description, later '#' lines are comments
      if (flavour === 'pbs' && !leading) return;
      description.push(flavour === 'pve' ? uriUnescape(line.slice(1)) : line.slice(1));
      source.descriptionLines.push(index);
      return;
    }
    leading = false;
    if (/^\s*$/.test(line)) return;
    const m = ENTRY.exec(line);
    if (!m) throw new ConfigError(`unable to parse line '${line}' (expected 'key: value')`, file, index + 1);
    const key = m[1]!;
    if (entries.has(key)) throw new ConfigError(`duplicate key '${key}'`, file, index + 1);
    entries.set(key, m[2]!);
    source.entries.set(key, { value: m[2]!, line: index });
  });
  source.description = description.length ? description.join('\n') : undefined;
  const cfg: NodeConfig = { description: source.description, entries };
  sources.set(cfg, source);
  return cfg;
}

/** The flavour the file of `cfg` was read in (the default for a model not read from a file). */
export function nodeCfgFlavour(cfg: NodeConfig): NodeCfgFlavour {
  return sources.get(cfg)?.flavour ?? DEFAULT_NODE_CFG_FLAVOUR;
}

function checkValue(key: string, value: string): void {
  if (/[\r\n]/.test(value)) throw new ConfigError(`detected invalid newline inside property '${key}'`);
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(value)) throw new ConfigError(`detected a control character inside property '${key}'`);
}

/** Byte order, as Perl's `sort` and Rust's BTreeMap compare keys. */
const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The file for `cfg`: the original bytes with only the changed lines edited. A model not read
 * from a file is written as the Proxmox writers do: description first, then the keys sorted.
 */
export function serializeNodeCfg(cfg: NodeConfig, opts: NodeCfgOptions = {}): string {
  const source = sources.get(cfg) ?? { lines: [], finalNewline: true, flavour: opts.flavour ?? DEFAULT_NODE_CFG_FLAVOUR, description: undefined, descriptionLines: [], entries: new Map() };
  const flavour = opts.flavour ?? source.flavour;
  const edits = new LineEdits(source.lines);
  const out = edits.out;
  const insert = (before: number, line: string): void => edits.insert(before, line);

  const description = cfg.description === '' ? undefined : cfg.description;
  if (description !== source.description) {
    for (const index of source.descriptionLines) out[index] = null;
    const at = source.descriptionLines[0] ?? 0;
    if (description !== undefined) {
      for (const line of description.split('\n')) insert(at, `#${flavour === 'pve' ? uriEscape(line) : line}`);
    }
  }

  const keyLines = [...source.entries].map(([key, { line }]) => ({ key, line }));
  for (const [key, { value, line }] of source.entries) {
    const now = cfg.entries.get(key);
    if (now === undefined) out[line] = null;
    else if (now !== value) {
      checkValue(key, now);
      out[line] = `${key}: ${now}`;
    }
  }
  const added = [...cfg.entries.keys()].filter((key) => !source.entries.has(key)).sort(byteOrder);
  for (const key of added) {
    const value = cfg.entries.get(key)!;
    checkValue(key, value);
    insert(insertionPoint(keyLines, key, byteOrder, source.lines.length), `${key}: ${value}`);
  }

  const { lines: result, lastOriginal } = edits.result();
  if (result.length === 0) return '';
  return result.join('\n') + (source.finalNewline || !lastOriginal ? '\n' : '');
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

// plugins.cfg: Proxmox section-config format (reference §2.1). Pure parse/serialize.
// Reads what PVE and PBS write; keeps unknown properties.
//
// Fidelity: the parsed file keeps its raw lines; serializing edits only the lines of the
// sections and properties that changed, in the spelling of the file's writer (PVE: bare
// `disable`, required options first, a blank line after every section; PBS: `disable true`,
// keys sorted, sections joined by a blank line). Untouched sections, comments, blank lines,
// value spellings and `data` encodings stay byte for byte; an unchanged model gives back the
// original bytes.

import { ConfigError } from '../errors.ts';
import { insertionPoint, LineEdits, splitLines } from './line-edits.ts';

export interface PluginSection {
  type: string;
  id: string;
  /** Property values as stored (data still base64), in file order; unknown ones included. */
  props: Map<string, string>;
}

export interface PluginsConfig {
  sections: PluginSection[];
}

/** Whose writer a plugins.cfg looks like (see detectPluginsCfgFlavour). */
export type PluginsCfgFlavour = 'pve' | 'pbs';
/** A new file, or one that shows no writer, is written as PVE writes (as certnode always has). */
export const DEFAULT_PLUGINS_CFG_FLAVOUR: PluginsCfgFlavour = 'pve';

export interface PluginsCfgOptions {
  /** Known from the layout; otherwise detected from the file. */
  flavour?: PluginsCfgFlavour | undefined;
}

export const STANDALONE_ID = 'standalone';

const HEADER = /^(\S+):\s*(\S+)\s*$/;
const PROPERTY = /^\s+(\S+)(?:\s+(.*\S))?\s*$/;
const BOOLEAN_PROPS = new Set(['disable']);
/** Options a section type requires: the PVE writer puts them right after `disable`. */
const REQUIRED_PROPS: Record<string, readonly string[]> = { dns: ['api'] };

/** One section as read: its line range and its properties' values (as the model holds them) and lines. */
interface Block {
  start: number;
  /** Index after the section's last line. */
  end: number;
  type: string;
  id: string;
  props: Map<string, { value: string; line: number }>;
}

interface Source {
  lines: string[];
  finalNewline: boolean;
  flavour: PluginsCfgFlavour;
  blocks: Block[];
  /** The `standalone` section the readers add when the file lacks it (written only into a new file, with another section). */
  implicit: PluginSection | undefined;
}

const sources = new WeakMap<PluginsConfig, Source>();
/** Model section -> index of the block it was read from. */
const origins = new WeakMap<PluginSection, number>();

const isBlank = (line: string): boolean => /^\s*$/.test(line);
const isComment = (line: string): boolean => /^\s*#/.test(line);

/**
 * PBS writes booleans `true`/`false` and no blank line after the last section; PVE writes a bare
 * `disable` (or 1/0), allows `#` comments and `nodes`, and ends every section with a blank line.
 */
export function detectPluginsCfgFlavour(text: string): PluginsCfgFlavour {
  const { lines } = splitLines(text);
  let pve = false;
  let sections = 0;
  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (isBlank(line)) continue;
    if (isComment(line)) {
      pve = true;
      continue;
    }
    const m = PROPERTY.exec(line);
    if (!/^\s/.test(line)) sections++;
    if (!m) continue;
    const [, key, value] = m;
    if (BOOLEAN_PROPS.has(key!)) {
      if (value === 'true' || value === 'false') return 'pbs';
      pve = true;
    }
    if (key === 'nodes') pve = true;
  }
  if (pve || sections === 0) return pve ? 'pve' : DEFAULT_PLUGINS_CFG_FLAVOUR;
  return isBlank(lines.at(-1) ?? '') ? 'pve' : 'pbs';
}

export function parsePluginsCfg(text: string, file: string, opts: PluginsCfgOptions = {}): PluginsConfig {
  const flavour = opts.flavour ?? detectPluginsCfgFlavour(text);
  const { lines, finalNewline } = splitLines(text);
  const sections: PluginSection[] = [];
  const blocks: Block[] = [];
  const seen = new Set<string>();
  let current: PluginSection | undefined;
  let block: Block | undefined;
  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\r$/, '');
    if (isBlank(line)) {
      current = undefined;
      block = undefined;
      return;
    }
    if (isComment(line)) return;
    if (/^\s/.test(line)) {
      if (!current || !block) throw new ConfigError('syntax error (expected header)', file, lineNo);
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
      block.props.set(key, { value, line: index });
      block.end = index + 1;
      return;
    }
    const m = HEADER.exec(line);
    if (!m) throw new ConfigError(`syntax error (expected header 'type: id', got '${line.trim()}')`, file, lineNo);
    const [, type, id] = m as unknown as [string, string, string];
    if (seen.has(id)) throw new ConfigError(`duplicate section '${id}'`, file, lineNo);
    seen.add(id);
    current = { type, id, props: new Map() };
    block = { start: index, end: index + 1, type, id, props: new Map() };
    origins.set(current, blocks.length);
    blocks.push(block);
    sections.push(current);
  });
  const cfg: PluginsConfig = { sections };
  const source: Source = { lines, finalNewline, flavour, blocks, implicit: undefined };
  sources.set(cfg, source);
  // Both products insert `standalone: standalone` when the file lacks it, and PVE replaces a
  // section of that id with another type; the replacement is written in that section's place.
  const index = sections.findIndex((s) => s.id === STANDALONE_ID);
  const existing = sections[index];
  if (!existing || existing.type !== 'standalone') {
    const implicit: PluginSection = { type: 'standalone', id: STANDALONE_ID, props: new Map() };
    if (existing) {
      sections[index] = implicit;
      origins.set(implicit, origins.get(existing)!);
    } else {
      sections.push(implicit);
      source.implicit = implicit;
    }
  }
  return cfg;
}

/** The flavour the file of `cfg` was read in (the default for a model not read from a file). */
export function pluginsCfgFlavour(cfg: PluginsConfig): PluginsCfgFlavour {
  return sources.get(cfg)?.flavour ?? DEFAULT_PLUGINS_CFG_FLAVOUR;
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Where the writer of `flavour` puts a property: compare these, then the names. */
function rank(flavour: PluginsCfgFlavour, type: string, key: string): number {
  if (flavour === 'pbs') return 0;
  if (key === 'disable') return 0;
  return (REQUIRED_PROPS[type] ?? []).includes(key) ? 1 : 2;
}

function before(flavour: PluginsCfgFlavour, type: string, a: string, b: string): boolean {
  const ra = rank(flavour, type, a);
  const rb = rank(flavour, type, b);
  return ra !== rb ? ra < rb : byteOrder(a, b) < 0;
}

/** A property line as the writer of `flavour` spells it; undefined: not written (PVE's false flag). */
function formatProp(flavour: PluginsCfgFlavour, section: PluginSection, key: string, value: string): string | undefined {
  if (/[\x00-\x1f\x7f]/.test(value)) throw new ConfigError(`detected unexpected control character in section '${section.id}' key '${key}'`);
  if (BOOLEAN_PROPS.has(key)) {
    if (flavour === 'pbs') return `\t${key} ${value === '1' ? 'true' : 'false'}`;
    return value === '1' ? `\t${key}` : undefined;
  }
  return `\t${key} ${value}`;
}

function formatSection(flavour: PluginsCfgFlavour, section: PluginSection): string[] {
  const keys = [...section.props.keys()].sort((a, b) => (a === b ? 0 : before(flavour, section.type, a, b) ? -1 : 1));
  const lines = [`${section.type}: ${section.id}`];
  for (const key of keys) {
    const line = formatProp(flavour, section, key, section.props.get(key)!);
    if (line !== undefined) lines.push(line);
  }
  return lines;
}

/** Equal as the readers see them: `data` compared decoded, so another base64 spelling stays. */
function sameValue(key: string, stored: string, now: string): boolean {
  if (stored === now) return true;
  if (key !== 'data') return false;
  const a = decodePluginData(stored);
  return a !== undefined && a === decodePluginData(now);
}

/**
 * The file for `cfg`: the original bytes with only the changed lines edited; new sections are
 * appended, removed ones leave with one separating blank line. A model not read from a file is
 * written as PVE writes it.
 */
export function serializePluginsCfg(cfg: PluginsConfig, opts: PluginsCfgOptions = {}): string {
  const source = sources.get(cfg) ?? { lines: [], finalNewline: true, flavour: opts.flavour ?? DEFAULT_PLUGINS_CFG_FLAVOUR, blocks: [], implicit: undefined };
  const flavour = opts.flavour ?? source.flavour;
  const edits = new LineEdits(source.lines);
  const out = edits.out;
  const insert = (before: number, line: string): void => edits.insert(before, line);
  const used = new Set<number>();
  const appended: string[][] = [];

  for (const section of cfg.sections) {
    // the readers' implicit standalone is not written into an existing file (only into a new one)
    if (section === source.implicit && section.props.size === 0 && (source.blocks.length > 0 || cfg.sections.length === 1)) continue;
    const index = origins.get(section);
    const block = index === undefined || used.has(index) ? undefined : source.blocks[index];
    if (block === undefined) {
      appended.push(formatSection(flavour, section));
      continue;
    }
    used.add(index!);
    if (block.type !== section.type || block.id !== section.id) {
      for (let i = block.start; i < block.end; i++) if (!isComment(source.lines[i]!)) out[i] = null;
      for (const line of formatSection(flavour, section)) insert(block.start, line);
      continue;
    }
    for (const [key, { value, line }] of block.props) {
      const now = section.props.get(key);
      if (now === undefined) out[line] = null;
      else if (!sameValue(key, value, now)) out[line] = formatProp(flavour, section, key, now) ?? null;
    }
    const added = [...section.props.keys()].filter((key) => !block.props.has(key)).sort((a, b) => (before(flavour, section.type, a, b) ? -1 : 1));
    for (const key of added) {
      const line = formatProp(flavour, section, key, section.props.get(key)!);
      if (line === undefined) continue;
      const order = (a: string, b: string): number => (a === b ? 0 : before(flavour, section.type, a, b) ? -1 : 1);
      const existing = [...block.props].map(([other, { line: at }]) => ({ key: other, line: at }));
      insert(insertionPoint(existing, key, order, block.start + 1), line);
    }
  }
  source.blocks.forEach((block, index) => {
    if (used.has(index)) return;
    for (let i = block.start; i < block.end; i++) out[i] = null;
    // and one blank line that separated it
    if (block.end < out.length && isBlank(out[block.end] ?? 'x')) out[block.end] = null;
    else if (block.start > 0 && isBlank(out[block.start - 1] ?? 'x')) out[block.start - 1] = null;
  });

  const edited = edits.result();
  const result = edited.lines;
  let lastOriginal = edited.lastOriginal;
  for (const lines of appended) {
    const hasSection = result.some((line) => !isBlank(line) && !isComment(line));
    if (!hasSection && result.every(isBlank)) {
      result.length = 0;
      result.push(...lines, ...(flavour === 'pve' ? [''] : []));
    } else if (isBlank(result.at(-1) ?? '')) result.push(...lines, '');
    else result.push('', ...lines);
    lastOriginal = false;
  }
  if (result.length === 0) return '';
  return result.join('\n') + (source.finalNewline || !lastOriginal ? '\n' : '');
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

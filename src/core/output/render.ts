// Commands return data; this renders it as text tables, json or json-pretty.

import type { Column } from './table.ts';

/** The table drawing (cli-table3, string-width) loads only when a table is printed: --help and a not-due renew never pay for it. */
type Tables = typeof import('./table.ts');

export type OutputFormat = 'text' | 'json' | 'json-pretty';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'json-pretty'];

export interface RenderOptions {
  format: OutputFormat;
  border: boolean;
  header: boolean;
  utf8: boolean;
  /** Wrap table cells so that lines fit this width (stdout is a terminal). */
  width: number | undefined;
}

export interface ListColumn {
  key: string;
  align?: 'left' | 'right';
  /** Show the column even when every row leaves it empty. */
  always?: boolean;
  /** How the text table shows the value (JSON keeps the value as it is). */
  text?: (value: unknown) => string;
  /** On a narrow terminal this column wraps before the others (long digests, free text). */
  shrinkFirst?: boolean;
}

export type Result =
  | { kind: 'none' }
  /** Key/value table; `keys` fixes the row order (default: sorted), `header` false hides it. */
  | { kind: 'object'; data: Record<string, unknown>; keys?: readonly string[]; header?: boolean }
  /**
   * Column table; rows sorted by the first column unless `ordered` (the data's order means
   * something, e.g. the CA menu). JSON prints the rows in the same order as the text table.
   */
  | { kind: 'list'; data: readonly Record<string, unknown>[]; columns: readonly ListColumn[]; ordered?: boolean }
  /** Several key/value tables (e.g. one per certificate); json prints `data`. */
  | { kind: 'objects'; data: readonly Record<string, unknown>[]; keys: readonly string[] }
  /** Free text in text mode, `data` in json modes. */
  | { kind: 'text'; text: string; data: unknown }
  /** Several results one after the other (blank line between) in text mode, `data` in json modes. */
  | { kind: 'sections'; parts: readonly Result[]; data: unknown };

/**
 * What provisioning commands (plugin add/set, config set, account register) report: nothing in
 * text when they changed something (as pvenode), `unchanged` when all was already as asked;
 * JSON `{"changed": …}` either way.
 */
export function changeResult(changed: boolean): Result {
  return { kind: 'text', text: changed ? '' : 'unchanged\n', data: { changed } };
}

export async function renderResult(result: Result, opts: RenderOptions): Promise<string> {
  if (result.kind === 'none') return '';
  if (opts.format !== 'text') {
    const data = result.kind === 'list' ? listRows(result) : result.data;
    return `${toJson(data, opts.format === 'json-pretty')}\n`;
  }
  if (result.kind === 'text') return result.text;
  if (result.kind === 'sections') {
    const parts = await Promise.all(result.parts.map((part) => renderResult(part, opts)));
    return parts.filter((text) => text !== '').join('\n');
  }
  const tables = await import('./table.ts');
  let lines: string[];
  switch (result.kind) {
    case 'object':
      lines = await objectTable(tables, result.data, result.keys, result.header ?? true, opts);
      break;
    case 'objects':
      lines = (await Promise.all(result.data.map((item) => objectTable(tables, item, result.keys, false, opts)))).flat();
      break;
    case 'list':
      lines = await listTable(tables, listRows(result), result.columns, opts);
      break;
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function objectTable(tables: Tables, data: Record<string, unknown>, keys: readonly string[] | undefined, header: boolean, opts: RenderOptions): Promise<string[]> {
  const order = keys ?? Object.keys(data).sort();
  const rows = order.filter((k) => data[k] !== undefined && data[k] !== null).map((k) => [k, formatValue(data[k])]);
  const columns: Column[] = [{ title: 'key' }, { title: 'value' }];
  return tables.renderTable(columns, rows, { border: opts.border, header: header && opts.header, utf8: opts.utf8, width: opts.width });
}

/** A list's rows in display order: as given when `ordered`, else by the first column. */
function listRows(result: Extract<Result, { kind: 'list' }>): readonly Record<string, unknown>[] {
  const first = result.columns[0];
  if (result.ordered || !first) return result.data;
  return [...result.data].sort((a, b) => compareCells(a[first.key], b[first.key]));
}

async function listTable(tables: Tables, data: readonly Record<string, unknown>[], columns: readonly ListColumn[], opts: RenderOptions): Promise<string[]> {
  if (data.length === 0) return [];
  const shown = columns.filter((c) => c.always || data.some((row) => row[c.key] !== undefined && row[c.key] !== null && row[c.key] !== ''));
  const rows = data.map((row) => shown.map((c) => (c.text ? c.text(row[c.key]) : formatValue(row[c.key]))));
  return tables.renderTable(
    shown.map((c) => ({ title: c.key, align: c.align, shrinkFirst: c.shrinkFirst })),
    rows,
    { border: opts.border, header: opts.header, utf8: opts.utf8, width: opts.width },
  );
}

function compareCells(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = formatValue(a);
  const y = formatValue(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A cell: booleans as 1/0, lists and objects as YAML lines. */
export function formatValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  // a list of plain values (SANs, contacts) reads best unquoted
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.map((v) => `- ${v}`).join('\n');
  return toYaml(value).replace(/\n$/, '');
}

function yamlScalar(value: unknown): string {
  if (value === null || value === undefined) return '~';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  const s = String(value);
  return s === '' || /^[\s\-?:,[\]{}#&*!|>'"%@`]|: |\s#|\s$|^(true|false|null|~|[-+]?\d[\d.eE+-]*)$/i.test(s) || s.includes('\n')
    ? JSON.stringify(s)
    : s;
}

function toYaml(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}[]\n`;
    return value
      .map((item) => {
        if (item !== null && typeof item === 'object') {
          const inner = toYaml(item, `${indent}  `);
          return `${indent}- ${inner.slice(indent.length + 2)}`;
        }
        return `${indent}- ${yamlScalar(item)}\n`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (entries.length === 0) return `${indent}{}\n`;
    return entries
      .map(([k, v]) => {
        if (v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0)) {
          return `${indent}${k}:\n${toYaml(v, `${indent}  `)}`;
        }
        return `${indent}${k}: ${v !== null && typeof v === 'object' ? (Array.isArray(v) ? '[]' : '{}') : yamlScalar(v)}\n`;
      })
      .join('');
  }
  return `${indent}${yamlScalar(value)}\n`;
}

/** JSON with sorted keys; pretty in pvenode's style (3-space indent, `"key" : value`). */
export function toJson(value: unknown, pretty: boolean, indent = ''): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}   `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => toJson(v === undefined ? null : v, pretty, inner));
    return pretty ? `[\n${items.map((i) => inner + i).join(',\n')}\n${indent}]` : `[${items.join(',')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '{}';
  const items = entries.map(([k, v]) => `${JSON.stringify(k)}${pretty ? ' : ' : ':'}${toJson(v, pretty, inner)}`);
  return pretty ? `{\n${items.map((i) => inner + i).join(',\n')}\n${indent}}` : `{${items.join(',')}}`;
}

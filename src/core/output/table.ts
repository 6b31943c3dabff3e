// Proxmox-style text tables, drawn by cli-table3: UTF-8 box drawing (the header under a ╞═╪╡ rule)
// or ASCII, optional border and header. Widths are display columns (string-width: East Asian wide
// characters count two), and on a terminal long cells wrap so that every column stays on screen.

import Table from 'cli-table3';
import { prepareTextWidth, textWidth } from './text-width.ts';

export interface Column {
  title: string;
  align?: 'left' | 'right';
  /** Give up width before the other columns when the table must shrink (digests, free text). */
  shrinkFirst?: boolean;
}

export interface TableOptions {
  border: boolean;
  header: boolean;
  utf8: boolean;
  /** Terminal width: wrap cells so that lines fit (undefined: never wrap). */
  width?: number | undefined;
}

type Chars = NonNullable<Table.TableConstructorOptions['chars']>;

const UTF8_CHARS: Chars = {
  top: '─', 'top-mid': '┬', 'top-left': '┌', 'top-right': '┐',
  bottom: '─', 'bottom-mid': '┴', 'bottom-left': '└', 'bottom-right': '┘',
  left: '│', 'left-mid': '├', mid: '─', 'mid-mid': '┼', right: '│', 'right-mid': '┤', middle: '│',
};

const ASCII_CHARS: Chars = {
  top: '-', 'top-mid': '+', 'top-left': '+', 'top-right': '+',
  bottom: '-', 'bottom-mid': '+', 'bottom-left': '+', 'bottom-right': '+',
  left: '|', 'left-mid': '+', mid: '-', 'mid-mid': '+', right: '|', 'right-mid': '+', middle: '|',
};

const NO_BORDER_CHARS: Chars = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '',
  bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ',
};

/** The rule under the header, Proxmox's double line (cli-table3 draws every rule alike). */
const HEADER_RULE: Record<string, string> = { '─': '═', '├': '╞', '┼': '╪', '┤': '╡', '-': '=' };

/** Render rows of cells (a cell may hold several lines). Returns the lines, each without a newline. */
export async function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], opts: TableOptions): Promise<string[]> {
  if (columns.length === 0) return [];
  let cells = rows.map((row) => columns.map((_, i) => (row[i] ?? '').replace(/\n+$/, '')));
  await prepareTextWidth([...columns.map((c) => c.title), ...cells.flat()]);
  if (opts.width !== undefined && opts.width > 0) {
    const widths = fitWidths(columns, cells, opts);
    cells = cells.map((row) => row.map((cell, i) => wrapCell(cell, widths[i]!)));
  }
  const table = new Table({
    ...(opts.header ? { head: columns.map((c) => c.title) } : {}),
    chars: opts.border ? (opts.utf8 ? UTF8_CHARS : ASCII_CHARS) : NO_BORDER_CHARS,
    colAligns: columns.map((c) => c.align ?? 'left'),
    style: { head: [], border: [], 'padding-left': opts.border ? 1 : 0, 'padding-right': opts.border ? 1 : 0 },
  });
  table.push(...cells);
  const lines = table.toString().split('\n');
  if (!opts.border) return lines.map((l) => l.trimEnd());
  if (opts.header) lines[2] = [...lines[2]!].map((ch) => HEADER_RULE[ch] ?? ch).join('');
  return lines;
}

function naturalWidth(cell: string): number {
  return Math.max(0, ...cell.split('\n').map(textWidth));
}

/**
 * Column widths that fit the terminal: the natural widths when they fit, else the widest column
 * gives up a column at a time (first among the `shrinkFirst` ones), none narrower than its title or 8. A table that cannot fit even
 * so is left at those minimums (the terminal wraps it).
 */
function fitWidths(columns: readonly Column[], cells: readonly string[][], opts: TableOptions): number[] {
  const widths = columns.map((c, i) => Math.max(opts.header ? textWidth(c.title) : 0, ...cells.map((row) => naturalWidth(row[i]!))));
  const minimum = columns.map((c, i) => Math.min(widths[i]!, Math.max(opts.header ? textWidth(c.title) : 0, 8)));
  const overhead = opts.border ? 3 * columns.length + 1 : columns.length - 1;
  const available = opts.width! - overhead;
  let total = widths.reduce((a, b) => a + b, 0);
  for (const eligible of [(i: number) => columns[i]!.shrinkFirst === true, () => true]) {
    while (total > available) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (eligible(i) && w > minimum[i]! && (widest === -1 || w > widths[widest]!)) widest = i;
      });
      if (widest === -1) break;
      widths[widest]!--;
      total--;
    }
  }
  return widths;
}

/** Wrap each line of a cell to `width` columns: after spaces, commas and semicolons where possible, inside long words where not. */
export function wrapCell(cell: string, width: number): string {
  if (width <= 0) return cell;
  return cell
    .split('\n')
    .flatMap((line) => wrapLine(line, width))
    .join('\n');
}

function wrapLine(line: string, width: number): string[] {
  if (textWidth(line) <= width) return [line];
  const out: string[] = [];
  let current = '';
  for (const word of line.split(/(?<=[\s,;])/)) {
    if (textWidth(current + word.trimEnd()) <= width) {
      current += word;
      continue;
    }
    if (current.trim() !== '') out.push(current.trimEnd());
    current = '';
    let rest = word;
    while (textWidth(rest.trimEnd()) > width) {
      let piece = '';
      for (const ch of rest) {
        if (textWidth(piece + ch) > width) break;
        piece += ch;
      }
      if (piece === '') piece = [...rest][0]!; // a character wider than the column
      out.push(piece);
      rest = rest.slice(piece.length);
    }
    current = rest;
  }
  if (current.trim() !== '' || out.length === 0) out.push(current.trimEnd());
  return out;
}

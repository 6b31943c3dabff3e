// Proxmox-style text tables: UTF-8 box drawing or ASCII, optional border and header.

export interface Column {
  title: string;
  align?: 'left' | 'right';
}

export interface TableOptions {
  border: boolean;
  header: boolean;
  utf8: boolean;
}

interface BoxChars {
  top: [string, string, string, string];
  head: [string, string, string, string];
  mid: [string, string, string, string];
  bottom: [string, string, string, string];
  vertical: string;
}

const UTF8_BOX: BoxChars = {
  top: ['┌', '─', '┬', '┐'],
  head: ['╞', '═', '╪', '╡'],
  mid: ['├', '─', '┼', '┤'],
  bottom: ['└', '─', '┴', '┘'],
  vertical: '│',
};

const ASCII_BOX: BoxChars = {
  top: ['+', '-', '+', '+'],
  head: ['+', '=', '+', '+'],
  mid: ['+', '-', '+', '+'],
  bottom: ['+', '-', '+', '+'],
  vertical: '|',
};

export function textWidth(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function pad(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return align === 'right' ? fill + text : text + fill;
}

/** Render rows of cells (a cell may hold several lines). Returns the lines, each without a newline. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[], opts: TableOptions): string[] {
  const cells = rows.map((row) => columns.map((_, i) => (row[i] ?? '').replace(/\n+$/, '').split('\n')));
  const widths = columns.map((col, i) => {
    let w = opts.header ? textWidth(col.title) : 0;
    for (const row of cells) for (const line of row[i]!) w = Math.max(w, textWidth(line));
    return w;
  });
  const out: string[] = [];
  const physicalLines = (row: string[][]): string[][] => {
    const height = Math.max(1, ...row.map((c) => c.length));
    return Array.from({ length: height }, (_, k) => row.map((c) => c[k] ?? ''));
  };

  if (!opts.border) {
    const emit = (values: string[]): void => {
      const last = values.length - 1;
      const text = values.map((v, i) => (i === last ? (columns[i]!.align === 'right' ? pad(v, widths[i]!, 'right') : v) : `${pad(v, widths[i]!, columns[i]!.align)} `)).join('');
      out.push(text.trimEnd());
    };
    if (opts.header) emit(columns.map((c) => c.title));
    for (const row of cells) for (const line of physicalLines(row)) emit(line);
    return out;
  }

  const box = opts.utf8 ? UTF8_BOX : ASCII_BOX;
  const rule = ([left, fill, cross, right]: [string, string, string, string]): string =>
    left + widths.map((w) => fill.repeat(w + 2)).join(cross) + right;
  const line = (values: string[]): string =>
    box.vertical + values.map((v, i) => ` ${pad(v, widths[i]!, columns[i]!.align)} `).join(box.vertical) + box.vertical;

  out.push(rule(box.top));
  if (opts.header) {
    out.push(line(columns.map((c) => c.title)));
    out.push(rule(box.head));
  }
  cells.forEach((row, index) => {
    if (index > 0) out.push(rule(box.mid));
    for (const values of physicalLines(row)) out.push(line(values));
  });
  out.push(rule(box.bottom));
  return out;
}

// Editing a file's lines in place, for the writers that must change only what their command
// changed (node.cfg, plugins.cfg): the original lines, some removed, new ones inserted before an
// index; joined back, every untouched line is byte for byte what was read.

/** A file's lines (without their newlines) and whether the last one ended with a newline. */
export function splitLines(text: string): { lines: string[]; finalNewline: boolean } {
  if (text === '') return { lines: [], finalNewline: true };
  const lines = text.split('\n');
  const finalNewline = lines.at(-1) === '';
  if (finalNewline) lines.pop();
  return { lines, finalNewline };
}

export class LineEdits {
  /** The original lines; null where removed. */
  readonly out: (string | null)[];
  readonly #original: readonly string[];
  readonly #inserts = new Map<number, string[]>();

  constructor(original: readonly string[]) {
    this.#original = original;
    this.out = [...original];
  }

  /** Put `line` before original line `before` (after earlier inserts there); out.length appends. */
  insert(before: number, line: string): void {
    const list = this.#inserts.get(before) ?? [];
    list.push(line);
    this.#inserts.set(before, list);
  }

  /** The edited lines, and whether the last of them is an original line (else a final newline is due). */
  result(): { lines: string[]; lastOriginal: boolean } {
    const lines: string[] = [];
    let lastOriginal = true;
    for (let i = 0; i <= this.out.length; i++) {
      for (const line of this.#inserts.get(i) ?? []) {
        lines.push(line);
        lastOriginal = false;
      }
      if (i === this.out.length) break;
      const line = this.out[i];
      if (line === null || line === undefined) continue;
      lines.push(line);
      lastOriginal = line === this.#original[i];
    }
    return { lines, lastOriginal };
  }
}

/**
 * Where a new key goes among the existing ones: right after the greatest key that sorts before
 * it, else right before the least key that sorts after it (in a sorted file both are the writer's
 * place; in a hand-ordered one the neighbour stays the neighbour); `fallback` when there are none.
 */
export function insertionPoint(existing: readonly { key: string; line: number }[], key: string, compare: (a: string, b: string) => number, fallback: number): number {
  let pred: { key: string; line: number } | undefined;
  let succ: { key: string; line: number } | undefined;
  for (const other of existing) {
    const c = compare(other.key, key);
    if (c < 0 && (!pred || compare(other.key, pred.key) > 0)) pred = other;
    if (c > 0 && (!succ || compare(other.key, succ.key) < 0)) succ = other;
  }
  if (pred) return pred.line + 1;
  return succ ? succ.line : fallback;
}

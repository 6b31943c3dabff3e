// Columns a string takes on a terminal (East Asian wide characters count two), for tables. Shared
// by table.ts and by cli-table3 itself in the bundle (scripts/lib/cli-table3-string-width.cjs), so
// both measure alike.

/**
 * Text in which every character takes one column: printable ASCII, and what tables draw around
 * it (box drawing, cli-table3's '…'), which string-width counts as one column as well.
 */
const ONE_COLUMN_EACH = /^[\x20-\x7e\u2500-\u257f\u2026]*$/;

/**
 * string-width, loaded by prepareTextWidth only for text with other characters: it creates an
 * Intl.Segmenter when it loads, and ICU's set-up costs a table of plain ASCII (most of them)
 * several milliseconds for nothing.
 */
let stringWidth: ((text: string) => number) | undefined;

/** Make textWidth ready for these texts (loads string-width when one has other characters). */
export async function prepareTextWidth(texts: Iterable<string>): Promise<void> {
  if (stringWidth) return;
  for (const text of texts) {
    if (!ONE_COLUMN_EACH.test(text.replaceAll('\n', ' '))) {
      stringWidth = (await import('string-width')).default;
      return;
    }
  }
}

/** Columns a line of text takes; text with other characters must have been passed to prepareTextWidth. */
export function textWidth(text: string): number {
  if (ONE_COLUMN_EACH.test(text)) return text.length;
  if (!stringWidth) throw new Error('internal error: string-width is not loaded');
  return stringWidth(text);
}

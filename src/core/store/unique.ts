// Suffixes that keep temporary and aside names apart (with the host, PID space and PID beside
// them). Uniqueness is all they are for: every use is guarded by O_EXCL, mkdir or rename, and the
// directories are root's, so the names need not be unpredictable - and Math.random keeps node:crypto
// (and the stream modules it loads) out of every command that writes a file.

/** 8 hex digits. */
export function uniqueSuffix(): string {
  return Math.floor(Math.random() * 0x1_0000_0000)
    .toString(16)
    .padStart(8, '0');
}

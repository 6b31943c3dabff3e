// The only module that writes files: atomic replace, per-file locks, digests, modes.

import * as fs from 'node:fs';
import * as os from 'node:os';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { sha1Hex, sha256Hex } from '../digest.ts';
import { ConflictError, CliError } from '../errors.ts';
import type { LockOptions } from './lock.ts';
import { currentModePolicy } from './mode-policy.ts';
import { pidSpaceTag } from './pid-space.ts';
import { uniqueSuffix } from './unique.ts';

export { keepGroupModes, pmxcfsModes, setModePolicy, type ModePolicy } from './mode-policy.ts';

export const SECRET_FILE_MODE = 0o600;
export const SECRET_DIR_MODE = 0o700;
export const PUBLIC_FILE_MODE = 0o644;
export const PUBLIC_DIR_MODE = 0o755;

export interface WriteOptions {
  mode: number;
  /** Mode for directories this write creates (and for the immediate parent, which it enforces). */
  dirMode: number;
  /**
   * Leave the mode of an existing parent directory alone: for paths the user configured
   * (e.g. /etc/ssl/private, 0710 root:ssl-cert), which certnode does not own.
   */
  keepDirMode?: boolean;
  /** Group of the file (numeric gid); default: the writer's. */
  gid?: number;
}

/** SHA-256 hex of the bytes is the digest `--digest` accepts (SHA-1 too: see checkDigest). */
export { sha1Hex, sha256Hex };

/**
 * Compare a user-given `--digest` against the file content. certnode shows SHA-256;
 * a 40-digit SHA-1 (what pvenode shows) is accepted too.
 */
export function checkDigest(given: string | undefined, content: string): void {
  if (given === undefined || given === '') return;
  const wanted = given.trim().toLowerCase();
  const actual = wanted.length === 40 ? sha1Hex(content) : sha256Hex(content);
  if (wanted !== actual) {
    throw new ConflictError('detected modified configuration - file changed by other user? Try again.');
  }
}

/** The largest configuration file certnode reads (plugins.cfg with many 64 KiB data values fits). */
export const MAX_CONFIG_FILE_BYTES = 8 * 1024 * 1024;

/** ESTALE, which Node does not name ("Unknown system error -116"). */
const ESTALE = -(os.constants.errno.ESTALE ?? 116);
/** How often a read that met a stale file handle is tried again (each try looks the name up afresh). */
const STALE_READ_TRIES = 10;

/**
 * Read a whole file as text. On a shared filesystem a file another host just replaced (rename)
 * can fail with ESTALE: the name is looked up again, a bounded number of times. Read through a
 * descriptor: Node 20's readFileSync(path, 'utf8') aborts the whole process when close() fails,
 * which a GlusterFS client does for such a file.
 */
export function readText(file: string, maxBytes?: number): string {
  for (let attempt = 1; ; attempt++) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'r');
      if (maxBytes !== undefined) {
        const size = fs.fstatSync(fd).size;
        if (size > maxBytes) throw new CliError(`unable to read '${file}' - it is ${size} bytes, more than the ${maxBytes} a configuration file may have`);
      }
      const text = fs.readFileSync(fd, 'utf8');
      const closing = fd;
      fd = undefined;
      fs.closeSync(closing);
      return text;
    } catch (err) {
      if (fd !== undefined) {
        try {
          fs.closeSync(fd);
        } catch {
          // the error that got us here is the one to report
        }
      }
      if ((err as NodeJS.ErrnoException).errno === ESTALE && attempt < STALE_READ_TRIES) continue;
      throw err;
    }
  }
}

/** Read a text file; undefined when it does not exist. With `maxBytes`, a larger file is an error. */
export function readTextIfExists(file: string, maxBytes?: number): string | undefined {
  try {
    return readText(file, maxBytes);
  } catch (err) {
    if (err instanceof CliError) throw err;
    if (isErrno(err, 'ENOENT')) return undefined;
    throw fileError('read', file, err);
  }
}

/** Create a directory (and parents) and force its mode, whatever the umask (unless `keepMode` and it exists). */
export function ensureDir(dir: string, mode: number, keepMode = false): void {
  try {
    if (currentModePolicy()?.keepDirModes) {
      fs.mkdirSync(dir, { recursive: true, mode });
      return;
    }
    if (keepMode && fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
    // Parents we create are ordinary directories; only `dir` itself gets `mode`.
    fs.mkdirSync(path.dirname(dir), { recursive: true, mode: PUBLIC_DIR_MODE });
    fs.mkdirSync(dir, { recursive: true, mode });
    fs.chmodSync(dir, mode);
  } catch (err) {
    throw fileError('create directory', dir, err);
  }
}

/**
 * Replace `file` atomically: write a temporary file beside it, fsync, rename over the
 * target, fsync the directory. A crash leaves either the old or the new content.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array, opts: WriteOptions): void {
  const dir = path.dirname(file);
  ensureDir(dir, opts.dirMode, opts.keepDirMode);
  removeOrphanTemps(dir);
  const tmp = path.join(dir, `.${path.basename(file)}.tmp-${hostname()}-s${pidSpaceTag() ?? 'unknown'}-${process.pid}-${uniqueSuffix()}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, opts.mode);
    const policy = currentModePolicy();
    let mode = policy ? policy.fileMode(file, opts.mode) : opts.mode;
    let gid = opts.gid;
    const existing = policy?.keepGroup ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    if (existing?.isFile()) {
      mode = existing.mode & (opts.mode | 0o070);
      gid ??= existing.gid;
    }
    if (gid !== undefined) fs.fchownSync(fd, -1, gid);
    fs.fchmodSync(fd, mode);
    writeAllAt(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw fileError('write', file, err);
  }
  fsyncDir(dir);
}

/**
 * Write all of `data` into a fresh file by position (pwrite). Positional writes keep every file
 * write distinguishable from socket and terminal writes (plain write), which is what lets the
 * crash tests kill an order at each of its file writes (strace inject=pwrite64) while the
 * network writes of the same process vary from run to run.
 */
function writeAllAt(fd: number, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) done += fs.writeSync(fd, data, done, data.length - done, done);
}

/**
 * A temp file of writeFileAtomic: `.<name>.tmp-<host>-s<space>-<pid>-<hex>`, where <space> tags the
 * writer's PID space (lock.ts: same kernel boot and PID namespace; the host name says nothing
 * about whether its PID can be asked here: `unshare -u` nodes, machines with the same name).
 */
const TEMP_NAME = /^\..+\.tmp-.+-s([0-9a-f]{8})-(\d+)-[0-9a-f]+$/;
/** Older certnodes' names: `.<name>.tmp-<host>-<pid>-<hex>`, or without host (single-host times). */
const OLD_TEMP_NAME = /^\..+\.tmp-(?:(.+)-)?(\d+)-[0-9a-f]+$/;
/** No write takes this long: a temp file this old is left over, whoever wrote it. */
export const TEMP_MAX_AGE_MS = 10 * 60_000;

/**
 * Remove temp files a killed writer left in `dir`: those of processes in this PID space that are
 * gone, and any older than TEMP_MAX_AGE_MS (a writer on another host sharing the directory cannot
 * be asked whether it still runs). Best effort: a failure here never fails the write.
 */
export function removeOrphanTemps(dir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const host = hostname();
  const space = pidSpaceTag();
  for (const name of names) {
    const m = TEMP_NAME.exec(name);
    const old = m ? undefined : OLD_TEMP_NAME.exec(name);
    if (!m && !old) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.lstatSync(file);
      if (!st.isFile()) continue;
      const ours = m ? space !== undefined && m[1] === space : old![1] === undefined || old![1] === host;
      const gone = ours && !processRuns(Number((m ?? old)![2]));
      if (gone || now - st.mtimeMs > TEMP_MAX_AGE_MS) fs.unlinkSync(file);
    } catch {
      // vanished meanwhile, or not ours to remove
    }
  }
}

function processRuns(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return !isErrno(err, 'ESRCH');
  }
}

/** Remove a file if it exists (durably). */
export function removeFile(file: string): boolean {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return false;
    throw fileError('remove', file, err);
  }
  fsyncDir(path.dirname(file));
  return true;
}

/** Rename `from` over `to` (durably): `to` holds either its old or the new content, whatever happens. */
export function renameOver(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    throw fileError('rename', from, err);
  }
  fsyncDir(path.dirname(to));
}

/** Rename a file (durably); fails when the target exists. */
export function renameNoReplace(from: string, to: string): void {
  try {
    try {
      fs.linkSync(from, to);
    } catch (err) {
      // pmxcfs (/etc/pve) has no hard links: check, then rename, as PVE itself does (callers hold the file's lock)
      if (!isErrno(err, 'ENOSYS') && !isErrno(err, 'EPERM') && !isErrno(err, 'EOPNOTSUPP')) throw err;
      if (fs.existsSync(to)) throw Object.assign(new Error(`EEXIST: file already exists, rename '${from}' -> '${to}'`), { code: 'EEXIST' });
      fs.renameSync(from, to);
      fsyncDir(path.dirname(to));
      return;
    }
    fs.unlinkSync(from);
  } catch (err) {
    throw fileError('rename', from, err);
  }
  fsyncDir(path.dirname(to));
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot fsync a directory; the rename itself is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export type { LockOptions } from './lock.ts';

/**
 * lock.ts's timings, here so that code which only reads (and so never locks) need not load
 * lock.ts: it brings proper-lockfile and graceful-fs, which patches fs when it loads - work a
 * `plugin list` or a not-due renewal would do for nothing. A unit test keeps them equal to
 * lock.ts's own.
 */
export const LOCK_STALE_MS = 20_000;
export const LOCK_WAIT_MS = LOCK_STALE_MS + 10_000;

/** lock.ts's withLock, loaded with the first lock a command takes (see LOCK_STALE_MS). */
export async function withLock<T>(file: string, opts: LockOptions, fn: () => Promise<T> | T): Promise<T> {
  const lock = await import('./lock.ts');
  return lock.withLock(file, opts, fn);
}

export function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function fileError(action: string, file: string, err: unknown): CliError {
  const reason = err instanceof Error ? errnoText(err) : String(err);
  return new CliError(`unable to ${action} '${file}' - ${reason}`);
}

/** "ENOENT: no such file or directory, open '/x'" -> "No such file or directory" */
export function errnoText(err: Error): string {
  if ((err as NodeJS.ErrnoException).errno === ESTALE) return 'Stale file handle';
  const text = err.message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*)?$/, '');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Per-file locks: `<file>.lock` is a directory (mkdir is atomic, also on NFS), kept fresh by its
// holder (mtime refreshed every few seconds), taken over once its mtime is older than the stale
// age. A PID means nothing on another host sharing the config dir, so it only shortens the wait:
// a lock whose owner ran on this host and is gone is taken over at once.
//
// proper-lockfile does the taking, refreshing and "was my lock taken over" detection. Its
// stale takeover alone is racy (moxystudio/node-proper-lockfile#121: two processes judge the
// same lock stale, one removes it and takes a new one, the other then removes that new one),
// so takeovers are serialized here: removing a lock we do not hold needs `<file>.lock.reclaim`
// (itself a mkdir lock, held for a few system calls), and the lock is re-checked under it.
//
// Inside the lock directory, `owner` says who holds it (host, pid, since): only for messages.

import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import lockfile from 'proper-lockfile';
import { ConflictError, CliError } from '../errors.ts';
import { ensureDir, isErrno } from './store.ts';

/** A lock whose mtime has not been refreshed for this long is abandoned (its holder refreshes every REFRESH_MS). */
export const LOCK_STALE_MS = 20_000;
const REFRESH_MS = 4_000;
/** A reclaim lock lives for a few system calls; one this old was left by a crash. */
const RECLAIM_STALE_MS = 2 * LOCK_STALE_MS;
/** The longest any command waits for a lock: long enough for an abandoned lock to go stale. */
export const LOCK_WAIT_MS = LOCK_STALE_MS + 10_000;

export interface LockOptions {
  /** How long to wait for the lock (0: fail at once when it is held). Defaults to LOCK_WAIT_MS. */
  timeoutMs?: number;
  dirMode: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Lock directories this process holds (their removal is a release, not a takeover). */
const held = new Set<string>();

const OWNER = 'owner';

/** The fs proper-lockfile works through: mkdir records the owner, rmdir is a release or a serialized takeover. */
const lockFs = {
  ...fs,
  stat(file: string, cb: (err: NodeJS.ErrnoException | null, st?: fs.Stats) => void): void {
    fs.stat(file, (err, st) => {
      // proper-lockfile judges by mtime alone; a lock whose holder is known to be gone counts as old.
      if (!err && held.has(file) === false && st.isDirectory() && ownerGone(file)) st.mtime = new Date(0);
      cb(err, st);
    });
  },
  mkdir(dir: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
    fs.mkdir(dir, 0o700, (err) => {
      if (err) return cb(err);
      // Written before proper-lockfile reads the directory's mtime, so it does not count as a change.
      try {
        fs.writeFileSync(path.join(dir, OWNER), `${hostname()} ${process.pid} ${Math.floor(Date.now() / 1000)}\n`, { mode: 0o600 });
      } catch {
        // Only the messages lose; the lock is ours.
      }
      cb(null);
    });
  },
  rmdirSync(dir: string): void {
    // proper-lockfile's exit handler: release what we hold.
    if (held.has(dir)) fs.rmSync(dir, { recursive: true, force: true });
  },
  rmdir(dir: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
    try {
      if (held.has(dir)) fs.rmSync(dir, { recursive: true, force: true });
      else reclaim(dir);
      cb(null);
    } catch (err) {
      cb(err as NodeJS.ErrnoException);
    }
  },
};

/** Remove an abandoned lock, unless it was refreshed or replaced meanwhile (then fail as "held"). */
function reclaim(lockDir: string): void {
  const guard = `${lockDir}.reclaim`;
  try {
    fs.mkdirSync(guard, 0o700);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
    // Another process is taking over right now, or crashed doing so long ago.
    const age = ageMs(guard);
    if (age !== undefined && age > RECLAIM_STALE_MS) fs.rmSync(guard, { recursive: true, force: true });
    throw held_(lockDir);
  }
  try {
    const st = fs.lstatSync(lockDir, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (!isStale(st) && !ownerGone(lockDir)) throw held_(lockDir);
    // Rename first: the name is free at once, the removal of a large leftover cannot be seen half-done.
    const gone = `${lockDir}.stale-${process.pid}-${Date.now()}`;
    fs.renameSync(lockDir, gone);
    fs.rmSync(gone, { recursive: true, force: true });
  } finally {
    fs.rmSync(guard, { recursive: true, force: true });
  }
}

/** Abandoned: not refreshed within the stale age, or not a directory (a pid file from an older certnode). */
function isStale(st: fs.Stats): boolean {
  return !st.isDirectory() || Date.now() - st.mtimeMs > LOCK_STALE_MS;
}

/**
 * Whether the lock's owner was a process on this host that no longer runs. Only a hint for
 * taking over sooner: an owner on another host (or a reused pid) is left to the stale age.
 */
function ownerGone(lockDir: string): boolean {
  const owner = readOwner(lockDir);
  if (!owner || owner.host !== hostname()) return false;
  // Our own pid: ours (being taken right now, or held); a leftover of an earlier process with this pid goes stale by age.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (err) {
    return isErrno(err, 'ESRCH');
  }
}

function readOwner(lockDir: string): { host: string; pid: number; since: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(lockDir, OWNER), 'utf8');
  } catch {
    return undefined; // killed between mkdir and writing the owner: unknown
  }
  const m = /^(\S+) (\d+) (\d+)\s*$/.exec(text);
  return m ? { host: m[1]!, pid: Number(m[2]), since: Number(m[3]) } : undefined;
}

function held_(file: string): NodeJS.ErrnoException {
  return Object.assign(new Error('Lock file is already being held'), { code: 'ELOCKED', file });
}

function ageMs(file: string): number | undefined {
  const st = fs.lstatSync(file, { throwIfNoEntry: false });
  return st === undefined ? undefined : Date.now() - st.mtimeMs;
}

/** Who holds a lock, for the message: "held by HOST pid N since TIME", or what is known. */
export function lockHolder(lockDir: string): string {
  const st = fs.lstatSync(lockDir, { throwIfNoEntry: false });
  if (st === undefined) return 'released meanwhile';
  if (!st.isDirectory()) return 'held by an older certnode (lock file)';
  const owner = readOwner(lockDir);
  const refreshed = `last refreshed ${Math.max(0, Math.round((Date.now() - st.mtimeMs) / 1000))} s ago`;
  if (!owner) return `held by an unknown process, ${refreshed}`;
  return `held by ${owner.host} pid ${owner.pid} since ${new Date(owner.since * 1000).toISOString()}, ${refreshed}`;
}

function acquire(file: string, lockDir: string): Promise<() => Promise<void>> {
  return lockfile.lock(file, {
    lockfilePath: lockDir,
    realpath: false,
    stale: LOCK_STALE_MS,
    update: REFRESH_MS,
    retries: 0,
    fs: lockFs,
    onCompromised: () => {
      compromised.add(lockDir);
    },
  });
}

const compromised = new Set<string>();

/**
 * Run `fn` while holding `<file>.lock`. Waits at most `timeoutMs` (an abandoned lock goes stale
 * within LOCK_STALE_MS and is taken over); giving up says which lock and who holds it.
 */
export async function withLock<T>(file: string, opts: LockOptions, fn: () => Promise<T> | T): Promise<T> {
  const lockDir = `${path.resolve(file)}.lock`;
  const shown = `${file}.lock`;
  ensureDir(path.dirname(lockDir), opts.dirMode);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const timeoutMs = opts.timeoutMs ?? LOCK_WAIT_MS;
  const started = Date.now();
  let delay = 10;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await acquire(file, lockDir);
      break;
    } catch (err) {
      if (!isErrno(err, 'ELOCKED')) throw new CliError(`unable to create lock '${shown}' - ${err instanceof Error ? err.message : String(err)}`);
    }
    if (fs.lstatSync(lockDir, { throwIfNoEntry: false })?.isDirectory() === false) {
      // A pid file from an older certnode: no current certnode holds it.
      try {
        reclaim(lockDir);
        continue;
      } catch (err) {
        if (!isErrno(err, 'ELOCKED')) throw new CliError(`unable to remove old lock '${shown}' - ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) {
      const after = timeoutMs === 0 ? '' : ` after ${(waited / 1000).toFixed(1)} s`;
      throw new ConflictError(`can't lock file '${shown}' - got timeout${after} (${lockHolder(lockDir)})`);
    }
    await sleep(Math.min(delay, Math.max(1, timeoutMs - waited)));
    delay = Math.min(delay * 2, 250);
  }
  held.add(lockDir);
  compromised.delete(lockDir);
  try {
    const result = await fn();
    if (compromised.has(lockDir)) {
      throw new ConflictError(`lock '${shown}' was taken over while held (this process stalled for more than ${LOCK_STALE_MS / 1000} s) - check the result`);
    }
    return result;
  } finally {
    if (!compromised.has(lockDir)) {
      try {
        await release();
      } catch {
        // already gone: nothing to release
      }
    }
    held.delete(lockDir);
  }
}


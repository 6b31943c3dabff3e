// Per-file locks: `<file>.lock` is a directory (mkdir is atomic, also on NFS and GlusterFS), kept
// fresh by its holder (mtime refreshed every few seconds), taken over once its mtime is older than
// the stale age. Several hosts may share the config dir (a cluster tree on a distributed
// filesystem), so nothing here trusts a PID alone.
//
// proper-lockfile does the taking, refreshing and "was my lock taken over" detection. Its
// stale takeover alone is racy (moxystudio/node-proper-lockfile#121: two processes judge the
// same lock stale, one removes it and takes a new one, the other then removes that new one),
// so takeovers are serialized here: removing a lock we do not hold needs `<file>.lock.reclaim`
// (itself a mkdir lock with an owner, held for a few system calls), and the lock is re-checked
// under it. A guard whose owner was killed is claimed in place, or removed by the lock's next holder.
//
// The holder: inside the lock directory, `owner` names it, one line:
//   `<host> <pid> <since> boot=<boot id> pidns=<pid namespace> start=<process start time>`
// Taking the lock is mkdir *and* publishing `owner` (written to a temp file inside the
// directory, then link()ed to `owner`: link fails if the name exists, so exactly one process
// publishes, and `owner` is never seen half-written).
//
// Same host? A PID is only meaningful to a process in the same PID space: the same running kernel
// (/proc/sys/kernel/random/boot_id) and the same PID namespace (/proc/self/ns/pid). That, not the
// host name, decides whether the owner's PID may be asked: nodes started with `unshare -u` have
// their own host names but share this kernel's PIDs (so they may ask each other), while two
// machines or containers that happen to have the same host name do not (they wait for the age).
// The owner's start time (/proc/<pid>/stat) tells a reused PID from the owner. An owner written
// by an older certnode (`<host> <pid> <since>` only) is never judged by its PID.
//
// A directory without `owner` was left by a process killed between its mkdir and the link (or
// is being taken right now): after EMPTY_CLAIM_MS it is claimed in place, by publishing our
// `owner` in it, never removed. Why that is safe without trusting any clock: the link is the
// arbiter. A slow original holder that links after we did gets EEXIST and does not hold the
// lock (it fails its attempt and waits like any other waiter); if it linked first, our link
// fails and we wait. Owner-less directories are never renamed or removed (not by takeovers,
// which need an `owner` to judge, nor by releases, which rename the directory away while it
// still has its `owner`), so a link always lands in the directory that is the lock. The short
// age only keeps us from making a live holder lose the microseconds between its two calls.

import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import lockfile from 'proper-lockfile';
import { ConflictError, CliError } from '../errors.ts';
import { processStart, selfIdentity } from './pid-space.ts';
import { ensureDir, isErrno, readText as readWhole } from './store.ts';
import { uniqueSuffix } from './unique.ts';

/** A lock whose mtime has not been refreshed for this long is abandoned (its holder refreshes every REFRESH_MS). */
export const LOCK_STALE_MS = 20_000;
const REFRESH_MS = 4_000;
/** A lock directory without `owner` for this long was left by a kill between mkdir and publishing the owner. */
export const EMPTY_CLAIM_MS = 2_000;
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

/** Who a lock's holder is, and what tells whether it still runs. */
export interface LockOwner {
  host: string;
  pid: number;
  /** Seconds since the epoch, when it took the lock. */
  since: number;
  /** The PID space it ran in (boot id and PID namespace), when known. */
  space?: string;
  /** Its start time in clock ticks after boot (/proc/<pid>/stat field 22), when known. */
  start?: string;
}

function readText(file: string): string | undefined {
  try {
    return readWhole(file).trim();
  } catch {
    return undefined;
  }
}

function ownerLine(): string {
  const id = selfIdentity();
  const extra = `${id.space ? ` space=${id.space}` : ''}${id.start ? ` start=${id.start}` : ''}`;
  return `${hostname()} ${process.pid} ${Math.floor(Date.now() / 1000)}${extra}\n`;
}

export function parseOwner(text: string): LockOwner | undefined {
  const m = /^(\S+) (\d+) (\d+)((?: [a-z]+=\S+)*)\s*$/.exec(text);
  if (!m) return undefined;
  const fields = Object.fromEntries(
    m[4]!
      .trim()
      .split(' ')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  return {
    host: m[1]!,
    pid: Number(m[2]),
    since: Number(m[3]),
    ...(fields.space ? { space: fields.space } : {}),
    ...(fields.start ? { start: fields.start } : {}),
  };
}

function readOwner(lockDir: string): LockOwner | undefined {
  const text = readText(path.join(lockDir, OWNER));
  return text === undefined ? undefined : parseOwner(text);
}

/**
 * Whether the process `owner` names is known to be gone: it ran in this PID space (same kernel
 * boot, same PID namespace; the host name does not matter) and no process with its PID and start
 * time runs now. Anything not known this way (another host, an older certnode's owner line) is
 * left to the stale age.
 */
export function ownerGone(owner: LockOwner): boolean {
  const me = selfIdentity();
  if (owner.space === undefined || owner.start === undefined || me.space === undefined || owner.space !== me.space) return false;
  if (owner.pid === process.pid) return owner.start !== me.start;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if (isErrno(err, 'ESRCH')) return true;
  }
  const start = processStart(owner.pid);
  // a PID in use by another process now (reused), or gone since kill()
  return start === undefined ? !fs.existsSync(`/proc/${owner.pid}`) : start !== owner.start;
}

function lockOwnerGone(lockDir: string): boolean {
  const owner = readOwner(lockDir);
  return owner !== undefined && ownerGone(owner);
}

/**
 * Publish our owner line as `<lockDir>/owner`: a temp file inside the directory, link()ed to the
 * name (EEXIST: someone else published first, the lock is theirs).
 */
function publishOwner(lockDir: string): void {
  const tmp = path.join(lockDir, `.owner-${process.pid}-${uniqueSuffix()}`);
  fs.writeFileSync(tmp, ownerLine(), { mode: 0o600, flag: 'wx' });
  try {
    fs.linkSync(tmp, path.join(lockDir, OWNER));
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** A lock directory nobody published an owner in for EMPTY_CLAIM_MS: left by a kill between mkdir and link. */
function claimable(lockDir: string): boolean {
  const st = fs.lstatSync(lockDir, { throwIfNoEntry: false });
  if (!st?.isDirectory() || Date.now() - st.mtimeMs <= EMPTY_CLAIM_MS) return false;
  return fs.lstatSync(path.join(lockDir, OWNER), { throwIfNoEntry: false }) === undefined;
}

function eexist(dir: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST' });
}

/** The fs proper-lockfile works through: mkdir takes (or claims) and publishes the owner, rmdir is a release or a serialized takeover. */
// What proper-lockfile calls (with realpath: false it never calls realpath; kept for safety).
// Not `...fs`: spreading node:fs reads its `promises` getter, which loads fs/promises, fs
// streams, readline and the watchers - a good part of what a short writing command costs.
const lockFs = {
  realpath: fs.realpath,
  utimes: fs.utimes,
  stat(file: string, cb: (err: NodeJS.ErrnoException | null, st?: fs.Stats) => void): void {
    fs.stat(file, (err, st) => {
      // proper-lockfile judges by mtime alone; a lock whose holder is known to be gone counts as old.
      if (!err && held.has(file) === false && st.isDirectory() && lockOwnerGone(file)) st.mtime = new Date(0);
      cb(err, st);
    });
  },
  mkdir(dir: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
    fs.mkdir(dir, 0o700, (err) => {
      if (err && !isErrno(err, 'EEXIST')) return cb(err);
      if (err && !claimable(dir)) return cb(err);
      // Ours (made or claimed) once the owner is published; before proper-lockfile reads the mtime,
      // so publishing does not count as a change.
      try {
        publishOwner(dir);
      } catch (published) {
        if (!err) {
          // never leave an owner-less directory behind that we made (rmdir: only if still empty)
          try {
            fs.rmdirSync(dir);
          } catch {
            // someone published in it: theirs
          }
        }
        return cb(isErrno(published, 'EEXIST') || isErrno(published, 'ENOENT') ? eexist(dir) : (published as NodeJS.ErrnoException));
      }
      cb(null);
    });
  },
  rmdirSync(dir: string): void {
    // proper-lockfile's exit handler: release what we hold.
    if (held.has(dir)) removeLockDir(dir);
  },
  rmdir(dir: string, cb: (err: NodeJS.ErrnoException | null) => void): void {
    try {
      if (held.has(dir)) removeLockDir(dir);
      else reclaim(dir);
      cb(null);
    } catch (err) {
      cb(err as NodeJS.ErrnoException);
    }
  },
};

/**
 * Remove a lock directory (one we hold, or one judged abandoned under the reclaim lock): rename it
 * away first, so the name is free at once and no owner-less directory is ever seen under the lock's name.
 */
function removeLockDir(lockDir: string): void {
  const gone = `${lockDir}.gone-${process.pid}-${uniqueSuffix()}`;
  try {
    fs.renameSync(lockDir, gone);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw err;
  }
  fs.rmSync(gone, { recursive: true, force: true });
}

/** `<lock>.gone-*` directories of removals killed half-way: no lock, removable by anyone. */
function sweepGone(lockDir: string): void {
  const prefix = `${path.basename(lockDir)}.gone-`;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(lockDir));
  } catch {
    return;
  }
  for (const name of names) {
    try {
      if (name.startsWith(prefix)) fs.rmSync(path.join(path.dirname(lockDir), name), { recursive: true, force: true });
    } catch {
      // being removed by another process right now
    }
  }
}

/**
 * Take `<lock>.reclaim`, the guard that serializes takeovers: mkdir, then our owner in it (the
 * guard is ours only once the owner is published, exactly as for a lock). A guard its taker was
 * killed in leaves no wait behind: without owner for EMPTY_CLAIM_MS it is claimed in place (the
 * link is the arbiter); with an owner that is gone, moving that owner aside is the arbiter (one
 * rename wins), and the moved line must be the dead one we judged (else a live guard replaced it
 * meanwhile: its owner is put back and we wait).
 */
function takeGuard(guard: string): boolean {
  try {
    fs.mkdirSync(guard, 0o700);
  } catch (err) {
    if (!isErrno(err, 'EEXIST')) throw err;
    return claimGuard(guard);
  }
  return publishes(guard);
}

function publishes(dir: string): boolean {
  try {
    publishOwner(dir);
    return true;
  } catch {
    return false; // claimed meanwhile (we were too slow), or not writable: not ours
  }
}

function claimGuard(guard: string): boolean {
  if (claimable(guard)) return publishes(guard);
  const dead = readText(path.join(guard, OWNER));
  const owner = dead === undefined ? undefined : parseOwner(dead);
  if (owner === undefined || !ownerGone(owner)) {
    // another process is taking over right now, or one crashed doing so long ago (an older certnode's guard)
    const age = ageMs(guard);
    if (age !== undefined && age > RECLAIM_STALE_MS) fs.rmSync(guard, { recursive: true, force: true });
    return false;
  }
  const aside = path.join(guard, `.dead-${process.pid}-${uniqueSuffix()}`);
  try {
    fs.renameSync(path.join(guard, OWNER), aside);
  } catch {
    return false; // someone else moved it first
  }
  if (readText(aside) !== dead) {
    try {
      fs.linkSync(aside, path.join(guard, OWNER));
    } catch {
      // it published again meanwhile
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  return publishes(guard);
}

/**
 * A guard left by a process killed in the middle of a takeover (its owner gone, or never named),
 * removed by the next holder of the lock: while we hold the lock (fresh, alive) every takeover
 * finds it held and backs off, so removing a guard is harmless even if a live process has just
 * taken it.
 */
function sweepDeadGuard(lockDir: string): void {
  const guard = `${lockDir}.reclaim`;
  try {
    const age = ageMs(guard);
    if (age === undefined) return;
    const owner = readOwner(guard);
    const named = fs.lstatSync(path.join(guard, OWNER), { throwIfNoEntry: false }) !== undefined;
    if ((owner !== undefined && ownerGone(owner)) || !named || age > RECLAIM_STALE_MS) fs.rmSync(guard, { recursive: true, force: true });
  } catch {
    // being removed by its holder right now
  }
}

/** Remove an abandoned lock, unless it was refreshed or replaced meanwhile (then fail as "held"). */
function reclaim(lockDir: string): void {
  const guard = `${lockDir}.reclaim`;
  if (!takeGuard(guard)) throw held_(lockDir);
  try {
    const st = fs.lstatSync(lockDir, { throwIfNoEntry: false });
    if (st === undefined) return;
    if (!st.isDirectory()) {
      // a pid file from an older certnode
      const gone = `${lockDir}.gone-${process.pid}-${uniqueSuffix()}`;
      fs.renameSync(lockDir, gone);
      fs.rmSync(gone, { force: true });
      return;
    }
    // owner-less: claimed in place by mkdir, never removed (see the top of this file)
    const owner = readOwner(lockDir);
    if (owner === undefined && fs.lstatSync(path.join(lockDir, OWNER), { throwIfNoEntry: false }) === undefined) throw held_(lockDir);
    if (!isStale(lockDir, st) && !(owner !== undefined && ownerGone(owner))) throw held_(lockDir);
    removeLockDir(lockDir);
  } finally {
    removeLockDir(guard);
  }
}

/**
 * Abandoned: not refreshed within the stale age. The owner file's own time counts as a sign of
 * life too (its mtime: written when published): a lock just claimed in place (see the top) has an
 * old directory, whose old mtime another host's attribute cache (FUSE, NFS) may still show, but a
 * new `owner`.
 */
function isStale(lockDir: string, st: fs.Stats): boolean {
  const owner = fs.lstatSync(path.join(lockDir, OWNER), { throwIfNoEntry: false });
  const newest = Math.max(st.mtimeMs, owner?.mtimeMs ?? 0);
  return Date.now() - newest > LOCK_STALE_MS;
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
  const seconds = (ms: number): number => Math.max(0, Math.round(ms / 1000));
  const owner = readOwner(lockDir);
  const refreshed = `last refreshed ${seconds(Date.now() - st.mtimeMs)} s ago`;
  if (!owner) {
    if (fs.lstatSync(path.join(lockDir, OWNER), { throwIfNoEntry: false }) === undefined) {
      return `held by a process that has not named itself yet (no owner in the lock directory for ${seconds(Date.now() - st.mtimeMs)} s; taken over after ${EMPTY_CLAIM_MS / 1000} s)`;
    }
    return `held by an unknown process, ${refreshed}`;
  }
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
  sweepGone(lockDir);
  sweepGone(`${lockDir}.reclaim`);
  sweepDeadGuard(lockDir);
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

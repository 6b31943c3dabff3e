// The sandbox a DNS script runs in when certnode is root: a user id that no other process on the
// host uses (picked per run, like systemd's DynamicUser), a private directory only that id can
// write below, and an end that kills every process of that id before anything is removed.
// When certnode is not root, scripts run as certnode's own user in a private 0700 directory.

import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PluginError } from '../errors.ts';

/** The account a script runs as. */
export interface ScriptUser {
  name: string;
  uid: number;
  gid: number;
  /** A per-run id no other process uses (its processes can all be killed by id). */
  dynamic: boolean;
}

/**
 * Dynamic script ids come from here: far above login users (1000..60000), systemd's DynamicUser
 * (61184..65519) and the usual /etc/subuid ranges of containers, and below 2^31.
 */
export const DYNAMIC_UID_BASE = 0x7a000000;
export const DYNAMIC_UID_COUNT = 0x10000;
/** Where root keeps the sandboxes and the claims on dynamic ids. */
export const DEFAULT_RUNTIME_DIR = '/run/certnode';
const KILL_ROUNDS = 20;

export interface SandboxDirs {
  /** Root-owned, 0711 (0700 when not root): the whole sandbox. */
  base: string;
  /** Root-owned, 0755: the shim, the script, private copies of data files. Read-only for the script. */
  lib: string;
  /** The script's HOME (0700, the script user's). */
  home: string;
  /** The script's TMPDIR (0700, the script user's). */
  tmp: string;
  /** The state file the shim's save helpers write, from add to rm. */
  state: string;
}

export interface SandboxOptions {
  pluginId: string;
  /** Run as root: a dynamic id, directories under `runtimeDir`. Otherwise: ourselves, under `tmpRoot`. */
  asRoot: boolean;
  /** Root only; default /run/certnode. */
  runtimeDir?: string;
  /** Not root: where the private directory goes (TMPDIR or /tmp). */
  tmpRoot: string;
  /** Tests: run as this fixed user instead of a dynamic id. */
  fixedUser?: ScriptUser;
}

/**
 * One script's sandbox, for the add and the rm of one record. `close()` kills every process of
 * the dynamic id, then removes the directory (never following a link) and frees the id.
 */
export class Sandbox {
  readonly user: ScriptUser | null;
  readonly dirs: SandboxDirs;
  readonly #claim: string | undefined;
  #closed = false;

  private constructor(user: ScriptUser | null, dirs: SandboxDirs, claim: string | undefined) {
    this.user = user;
    this.dirs = dirs;
    this.#claim = claim;
  }

  static open(opts: SandboxOptions): Sandbox {
    if (!opts.asRoot) {
      const base = fs.mkdtempSync(path.join(opts.tmpRoot, 'certnode-dns-'));
      try {
        return new Sandbox(null, layout(base, null), undefined);
      } catch (err) {
        fs.rmSync(base, { recursive: true, force: true });
        throw err;
      }
    }
    const root = runtimeRoot(opts.runtimeDir ?? DEFAULT_RUNTIME_DIR, opts.pluginId);
    const { user, claim } = opts.fixedUser ? { user: opts.fixedUser, claim: undefined } : claimDynamicUser(root);
    let base: string | undefined;
    try {
      base = fs.mkdtempSync(path.join(root, 'dns-'));
      return new Sandbox(user, layout(base, user), claim);
    } catch (err) {
      if (base) fs.rmSync(base, { recursive: true, force: true });
      if (claim) fs.rmSync(claim, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * SIGKILL every process of the dynamic id (also those that left the process group with setsid
   * or double forks). Returns false when one is still there after repeated kills.
   */
  killAll(): boolean {
    if (!this.user?.dynamic) return true;
    return killUser(this.user.uid);
  }

  /** Idempotent. Throws nothing; returns a warning when something had to be left behind. */
  close(): string | undefined {
    if (this.#closed) return undefined;
    this.#closed = true;
    if (!this.killAll()) {
      // a live process could still swap parts of the directory: leave it (and the id) alone
      return `processes of the DNS script's user ${this.user!.uid} survived SIGKILL; left ${this.dirs.base} in place`;
    }
    try {
      // rmSync unlinks symbolic links, it never follows them; and nothing runs as the script's id now
      fs.rmSync(this.dirs.base, { recursive: true, force: true });
      if (this.#claim) fs.rmSync(this.#claim, { recursive: true, force: true });
    } catch (err) {
      return `could not remove ${this.dirs.base}: ${(err as Error).message}`;
    }
    return undefined;
  }
}

/** base/lib (ours) and base/run/{home,tmp} (the script user's); modes set explicitly, whatever the umask. */
function layout(base: string, user: ScriptUser | null): SandboxDirs {
  fs.chmodSync(base, user ? 0o711 : 0o700);
  const lib = path.join(base, 'lib');
  const run = path.join(base, 'run');
  const home = path.join(run, 'home');
  const tmp = path.join(run, 'tmp');
  fs.mkdirSync(lib);
  fs.chmodSync(lib, 0o755);
  for (const dir of [run, home, tmp]) {
    fs.mkdirSync(dir);
    fs.chmodSync(dir, 0o700);
    if (user) fs.chownSync(dir, user.uid, user.gid);
  }
  return { base, lib, home, tmp, state: path.join(run, 'state') };
}

/** The root-owned runtime directory, made 0711 when missing; refused when anyone else could change it. */
function runtimeRoot(dir: string, pluginId: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: 0o711 });
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || st.uid !== 0 || (st.mode & 0o022) !== 0) {
    throw new PluginError(`${dir} must be a directory owned by root and writable only by root (the DNS script sandboxes live there)`, pluginId);
  }
  if ((st.mode & 0o011) !== 0o011) fs.chmodSync(dir, (st.mode & 0o777) | 0o011);
  // every directory above must let the script's user pass
  for (let d = path.dirname(dir); ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) throw new PluginError(`the DNS script's user cannot reach ${dir}: ${d} is not searchable by others`, pluginId);
    if (d === '/') break;
  }
  return dir;
}

/**
 * A free dynamic id: not in /etc/passwd or /etc/group, no process running as it, claimed by an
 * exclusive mkdir under `root/uids` (two certnode runs never get the same id). A claim whose
 * owner is gone is taken over after its id's processes are killed.
 */
function claimDynamicUser(root: string): { user: ScriptUser; claim: string } {
  const claims = path.join(root, 'uids');
  fs.mkdirSync(claims, { recursive: true, mode: 0o700 });
  const taken = idsInUseByAccounts();
  const running = uidsOfProcesses();
  for (let attempt = 0; attempt < 64; attempt++) {
    const uid = DYNAMIC_UID_BASE + randomInt(DYNAMIC_UID_COUNT);
    if (taken.has(uid) || running.has(uid)) continue;
    const claim = path.join(claims, String(uid));
    try {
      fs.mkdirSync(claim, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !takeOverStaleClaim(claim, uid)) continue;
    }
    fs.writeFileSync(path.join(claim, 'pid'), `${process.pid}\n`);
    return { user: { name: `certnode-dns-${uid}`, uid, gid: uid, dynamic: true }, claim };
  }
  throw new PluginError('no free user id for the DNS script sandbox', '');
}

function takeOverStaleClaim(claim: string, uid: number): boolean {
  let owner: number;
  try {
    owner = Number(fs.readFileSync(path.join(claim, 'pid'), 'utf8').trim());
  } catch {
    // being written this instant, or a crash between mkdir and write: judged by age
    try {
      if (Date.now() - fs.statSync(claim).mtimeMs < 60_000) return false;
    } catch {
      return false;
    }
    owner = 0;
  }
  if (owner > 0 && processAlive(owner)) return false;
  if (!killUser(uid)) return false;
  try {
    fs.writeFileSync(path.join(claim, 'pid'), `${process.pid}\n`);
    return true;
  } catch {
    return false;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function idsInUseByAccounts(): Set<number> {
  const ids = new Set<number>();
  const fields = { '/etc/passwd': [2, 3], '/etc/group': [2] } as const;
  for (const [file, columns] of Object.entries(fields)) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) {
      const parts = line.split(':');
      for (const column of columns) {
        const id = Number(parts[column]);
        if (parts[column] !== undefined && Number.isInteger(id)) ids.add(id);
      }
    }
  }
  return ids;
}

/** Real, effective, saved and filesystem uids of every process (from /proc/<pid>/status). */
export function uidsOfProcesses(): Map<number, number[]> {
  const found = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue;
    }
    if (/^State:\s+Z/m.test(status)) continue;
    const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(status);
    if (!uids) continue;
    for (const uid of new Set(uids.slice(1).map(Number))) found.set(uid, [...(found.get(uid) ?? []), Number(entry)]);
  }
  return found;
}

/**
 * kill(-1, SIGKILL) as `uid`: the kernel signals every process of that id in one pass, with no
 * fork in between; then /proc is checked until none is left (bounded).
 */
export function killUser(uid: number): boolean {
  for (let round = 0; round < KILL_ROUNDS; round++) {
    if (!uidsOfProcesses().has(uid)) return true;
    spawnSync('/bin/sh', ['-c', 'kill -9 -1 2>/dev/null'], { uid, gid: uid, stdio: 'ignore', timeout: 5000 });
    if (!uidsOfProcesses().has(uid)) return true;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10 * (round + 1));
  }
  return !uidsOfProcesses().has(uid);
}

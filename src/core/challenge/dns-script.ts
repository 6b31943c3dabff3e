// Runs an acme.sh DNS API script (dns_<api>.sh) for one DNS-01 challenge through certnode's
// POSIX shim (share/dnsapi-shim.sh): clean environment, unprivileged user when root, timeout,
// output streamed line by line with every credential masked.

import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PluginError } from '../errors.ts';

export type DnsScriptAction = 'setup' | 'teardown';
export type OutputStream = 'stdout' | 'stderr';

/** The account a script runs as. */
export interface ScriptUser {
  name: string;
  uid: number;
  gid: number;
}

export const DEFAULT_DNS_SCRIPT_TIMEOUT_SEC = 300;
export const SHIM_PATH = fileURLToPath(new URL('../../../../share/dnsapi-shim.sh', import.meta.url));
/** Like Proxmox's `setpriv --reset-env`: a default PATH, nothing from certnode's environment. */
export const SCRIPT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Names data lines may not set: the runner's own, and ones that change how a shell starts. */
const RESERVED_KEYS = new Set(['PATH', 'HOME', 'TMPDIR', 'IFS', 'ENV', 'BASH_ENV', 'CDPATH', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'CERTNODE_SHIM_LIB']);
/** Values shorter than this are not masked (TTLs, flags): masking "60" everywhere would garble the log. */
const MIN_MASKED_LENGTH = 4;
const STDERR_TAIL_LINES = 20;
const KILL_GRACE_MS = 1000;
const DRAIN_MS = 1000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface DataEntry {
  key: string;
  value: string;
}

/**
 * The plugin's data text -> variables: one KEY=VALUE per line, split at the FIRST '=', the value
 * kept verbatim (spaces, quotes, further '='); blank and '#' lines skipped; KEY a shell identifier.
 */
export function parsePluginData(data: string, pluginId: string): DataEntry[] {
  const entries: DataEntry[] = [];
  data.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq === -1 ? line : line.slice(0, eq);
    if (eq === -1 || !IDENTIFIER.test(key)) {
      throw new PluginError(`plugin '${pluginId}': data line ${index + 1} is not KEY=VALUE with KEY a shell variable name`, pluginId);
    }
    entries.push({ key, value: line.slice(eq + 1) });
  });
  return entries;
}

/** Replaces every credential value in `line` by `***` (longest first, so overlapping values mask fully). */
export function maskSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) if (secret !== '' && out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

export function secretsOf(entries: readonly DataEntry[]): string[] {
  return [...new Set(entries.map((e) => e.value).filter((v) => v.length >= MIN_MASKED_LENGTH))].sort((a, b) => b.length - a.length);
}

/** `_acme-challenge.<domain>`; a wildcard's `*.` is dropped. */
export function challengeRecordName(domain: string): string {
  const name = domain.replace(/^\*\./, '').replace(/\.$/, '');
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/.test(name)) throw new PluginError(`invalid domain '${domain}' for a DNS challenge`, '');
  return `_acme-challenge.${name}`;
}

/** The user scripts run as: nobody when certnode is root, else certnode's own user (null). */
export function scriptUserFor(uid: number | undefined, name = 'nobody'): ScriptUser | null {
  if (uid !== 0) return null;
  return lookupUser(name);
}

export function lookupUser(name: string): ScriptUser {
  const id = (flag: string): number => {
    const r = spawnSync('id', [flag, name], { encoding: 'utf8' });
    const n = Number(r.stdout.trim());
    if (r.status !== 0 || !Number.isInteger(n)) throw new PluginError(`cannot find the user '${name}' to run DNS scripts as`, '');
    return n;
  };
  return { name, uid: id('-u'), gid: id('-g') };
}

export interface UnreadablePath {
  key: string;
  path: string;
  reason: string;
}

/**
 * Data values that are absolute paths the script's user cannot read (a TSIG key file under
 * /root, say): the script would fail later with a confusing message. `user` null = ourselves.
 */
export function unreadableDataPaths(data: string, user: ScriptUser | null): UnreadablePath[] {
  let entries: DataEntry[];
  try {
    entries = parsePluginData(data, '');
  } catch {
    return [];
  }
  const out: UnreadablePath[] = [];
  for (const { key, value } of entries) {
    if (!value.startsWith('/')) continue;
    const reason = unreadableReason(value, user);
    if (reason) out.push({ key, path: value, reason });
  }
  return out;
}

/** Why `user` cannot read `file` (undefined when it can). Mode bits only; ACLs are not looked at. */
export function unreadableReason(file: string, user: ScriptUser | null): string | undefined {
  if (!user) {
    try {
      fs.accessSync(file, fs.constants.R_OK);
      return undefined;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'not readable';
    }
  }
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return 'does not exist';
  }
  const parts = real.split('/').filter(Boolean);
  let current = '/';
  for (let i = 0; i <= parts.length; i++) {
    const st = fs.statSync(current);
    const last = i === parts.length;
    const need = last ? (st.isDirectory() ? 0o5 : 0o4) : 0o1;
    if (!permits(st, user, need)) return last ? `not readable by user '${user.name}'` : `directory ${current} not searchable by user '${user.name}'`;
    if (!last) current = path.join(current, parts[i]!);
  }
  return undefined;
}

function permits(st: fs.Stats, user: ScriptUser, need: number): boolean {
  if (user.uid === 0) return true;
  const bits = st.uid === user.uid ? (st.mode >> 6) & 7 : st.gid === user.gid ? (st.mode >> 3) & 7 : st.mode & 7;
  return (bits & need) === need;
}

export interface DnsChallengeOptions {
  pluginId: string;
  api: string;
  /** dns_<api>.sh as found by findDnsApiScript. */
  scriptPath: string;
  /** The plugin's data (decoded KEY=VALUE text). */
  data: string;
  /** The identifier's domain, or its alias; the record is _acme-challenge.<domain>. */
  domain: string;
  /** base64url(sha256(key authorization)). */
  txtValue: string;
  /** Per call; default 300 s. */
  timeoutSec?: number;
  /** Every output line of the script, credentials masked. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Who runs the script; null = certnode's own user. See scriptUserFor. */
  user: ScriptUser | null;
  /** Where the private per-challenge directory is made (must be reachable by `user`). */
  tmpRoot: string;
  /** Shell that runs the shim (default /bin/sh). */
  shell?: string;
  shimPath?: string;
}

/**
 * One DNS-01 challenge through one DNS script: `setup()` adds the TXT record, `teardown()`
 * removes it and always deletes the private directory (HOME, TMPDIR and the state file the
 * script's save helpers write, so its rm finds the record ids its add saved). Call
 * `teardown()` (or at least `dispose()`) in a finally block.
 */
export class DnsScriptChallenge {
  readonly recordName: string;
  private readonly opts: DnsChallengeOptions;
  private readonly entries: DataEntry[];
  private readonly secrets: string[];
  private dir: PrivateDir | undefined;

  constructor(opts: DnsChallengeOptions) {
    this.opts = opts;
    try {
      this.recordName = challengeRecordName(opts.domain);
    } catch (err) {
      throw new PluginError((err as Error).message, opts.pluginId);
    }
    if (!/^[A-Za-z0-9_-]+$/.test(opts.txtValue)) throw new PluginError('invalid TXT value (expected base64url)', opts.pluginId);
    if (!/^[A-Za-z0-9_]+$/.test(opts.api)) throw new PluginError(`invalid DNS API name '${opts.api}'`, opts.pluginId);
    this.entries = parsePluginData(opts.data, opts.pluginId);
    this.secrets = secretsOf(this.entries);
  }

  async setup(): Promise<void> {
    await this.run('setup');
  }

  async teardown(): Promise<void> {
    try {
      await this.run('teardown');
    } finally {
      this.dispose();
    }
  }

  /** Deletes the private directory (idempotent). */
  dispose(): void {
    if (this.dir) fs.rmSync(this.dir.base, { recursive: true, force: true });
    this.dir = undefined;
  }

  private async run(action: DnsScriptAction): Promise<void> {
    const { opts } = this;
    this.dir ??= makePrivateDir(opts.tmpRoot, opts.user, opts.pluginId);
    const dir = this.dir;
    // fresh copies in a directory only root can change: the script's user needs no access
    // to where the scripts are installed (/root/.acme.sh is 0700), and cannot swap them
    const shim = path.join(dir.lib, 'dnsapi-shim.sh');
    fs.copyFileSync(opts.shimPath ?? SHIM_PATH, shim);
    fs.copyFileSync(opts.scriptPath, path.join(dir.lib, `dns_${opts.api}.sh`));
    for (const f of fs.readdirSync(dir.lib)) fs.chmodSync(path.join(dir.lib, f), 0o644);

    const env: Record<string, string> = {};
    for (const { key, value } of this.entries) {
      if (RESERVED_KEYS.has(key)) {
        this.emit(`warning: data variable ${key} is ignored (reserved)`, 'stderr');
        continue;
      }
      env[key] = value;
    }
    Object.assign(env, { PATH: SCRIPT_PATH_ENV, HOME: dir.home, TMPDIR: dir.tmp });

    const shimArgs = [shim, action === 'setup' ? 'add' : 'rm', opts.api, this.recordName, opts.txtValue, dir.lib, dir.state];
    const [command, args, spawnIds] = privilegeDrop(opts.user, [opts.shell ?? '/bin/sh', ...shimArgs]);
    const timeoutSec = opts.timeoutSec ?? DEFAULT_DNS_SCRIPT_TIMEOUT_SEC;
    const outcome = await spawnBounded(command, args, { env, cwd: dir.home, timeoutMs: timeoutSec * 1000, ...spawnIds }, (line, stream) =>
      this.emit(line, stream),
    );
    const label = `DNS plugin '${opts.pluginId}' (dns_${opts.api}.sh) ${action}`;
    const tail = outcome.stderrTail.map((l) => maskSecrets(l, this.secrets));
    const tailText = tail.length ? tail.join('\n') : undefined;
    if (outcome.timedOut) throw new PluginError(`${label} timed out after ${timeoutSec} s`, opts.pluginId, undefined, tailText);
    if (outcome.error) throw new PluginError(`${label} could not start: ${outcome.error.message}`, opts.pluginId);
    if (outcome.code !== 0) {
      const why = outcome.code === null ? `was killed by ${outcome.signal}` : `failed with exit code ${outcome.code}`;
      const last = tail.at(-1);
      throw new PluginError(`${label} ${why}${last ? `: ${last}` : ''}`, opts.pluginId, outcome.code ?? undefined, tailText);
    }
  }

  private emit(line: string, stream: OutputStream): void {
    this.opts.onLine?.(maskSecrets(line, this.secrets), stream);
  }
}

interface PrivateDir {
  base: string;
  lib: string;
  home: string;
  tmp: string;
  state: string;
}

/**
 * base (0711, ours) / lib (0755, ours: shim + script) / run (0700, the script user's):
 * home, tmp, state. The user can write only below run.
 */
function makePrivateDir(tmpRoot: string, user: ScriptUser | null, pluginId: string): PrivateDir {
  const base = fs.mkdtempSync(path.join(tmpRoot, 'certnode-dns-'));
  try {
    fs.chmodSync(base, user ? 0o711 : 0o700);
    const lib = path.join(base, 'lib');
    const run = path.join(base, 'run');
    const home = path.join(run, 'home');
    const tmp = path.join(run, 'tmp');
    fs.mkdirSync(lib, { mode: 0o755 });
    for (const d of [run, home, tmp]) {
      fs.mkdirSync(d, { mode: 0o700 });
      if (user) fs.chownSync(d, user.uid, user.gid);
    }
    if (user) {
      const reason = unreadableReason(lib, user);
      if (reason) throw new PluginError(`the DNS script's private directory ${base}: ${reason}; use a temporary directory every user can reach`, pluginId);
    }
    return { base, lib, home, tmp, state: path.join(run, 'state') };
  } catch (err) {
    fs.rmSync(base, { recursive: true, force: true });
    throw err;
  }
}

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];
const RUNUSER_PATHS = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'];

/** The command that runs `argv` as `user`: setpriv (as Proxmox does), else runuser, else Node's own setuid. */
function privilegeDrop(user: ScriptUser | null, argv: string[]): [string, string[], { uid?: number; gid?: number }] {
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (!user) return [cmd, rest, {}];
  const setpriv = SETPRIV_PATHS.find((p) => fs.existsSync(p));
  if (setpriv) return [setpriv, ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--', ...argv], {}];
  const runuser = RUNUSER_PATHS.find((p) => fs.existsSync(p));
  if (runuser) return [runuser, ['-m', '-u', user.name, '--', ...argv], {}];
  // libuv drops supplementary groups before setgid/setuid
  return [cmd, rest, { uid: user.uid, gid: user.gid }];
}

interface SpawnOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  error: Error | undefined;
  stderrTail: string[];
}

interface SpawnOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  uid?: number;
  gid?: number;
}

/**
 * Spawns in a new process group; lines go to onLine as they come; after the timeout the whole
 * group gets SIGTERM, then SIGKILL. Resolves once the process is gone (never hangs on
 * a straggler that keeps the pipes open: the group is killed after the main process exits).
 */
function spawnBounded(command: string, args: string[], opts: SpawnOptions, onLine: (line: string, stream: OutputStream) => void): Promise<SpawnOutcome> {
  return new Promise((resolve) => {
    const stderrTail: string[] = [];
    let timedOut = false;
    let error: Error | undefined;
    let settled = false;
    const child = spawn(command, args, {
      env: opts.env,
      cwd: opts.cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid } : {}),
    });
    const killGroup = (signal: NodeJS.Signals): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    const splitter = (stream: OutputStream) => {
      let buffer = '';
      return {
        push(chunk: string): void {
          buffer += chunk;
          let nl: number;
          while ((nl = buffer.indexOf('\n')) !== -1) {
            this.line(buffer.slice(0, nl));
            buffer = buffer.slice(nl + 1);
          }
        },
        flush(): void {
          if (buffer !== '') this.line(buffer);
          buffer = '';
        },
        line(raw: string): void {
          const line = raw.replace(/\r$/, '');
          if (stream === 'stderr') {
            stderrTail.push(line);
            if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
          }
          onLine(line, stream);
        },
      };
    };
    const out = splitter('stdout');
    const err = splitter('stderr');
    child.stdout.setEncoding('utf8').on('data', (d: string) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => err.push(d));

    let killTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    }, opts.timeoutMs);

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      if (killTimer) clearTimeout(killTimer);
      out.flush();
      err.flush();
      resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, error, stderrTail });
    };
    child.on('error', (e) => {
      error = e;
      finish();
    });
    let drainTimer: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // whatever the script left running in its group goes too (it would hold the pipes open)
      killGroup('SIGKILL');
      drainTimer = setTimeout(finish, DRAIN_MS);
    });
    child.on('close', finish);
  });
}

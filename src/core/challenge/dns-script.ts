// Runs an acme.sh DNS API script (dns_<api>.sh) for one DNS-01 challenge through certnode's
// POSIX shim (share/dnsapi-shim.sh): clean environment, sandboxed (sandbox.ts) when root, timeout,
// output streamed line by line with every secret masked.

import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CancelledError, PluginError } from '../errors.ts';
import { Sandbox, type SandboxOptions, type ScriptUser } from './sandbox.ts';

export type { ScriptUser } from './sandbox.ts';
export type DnsScriptAction = 'setup' | 'teardown';
export type OutputStream = 'stdout' | 'stderr';

export const DEFAULT_DNS_SCRIPT_TIMEOUT_SEC = 300;
export const SHIM_PATH = fileURLToPath(new URL('../../../../share/dnsapi-shim.sh', import.meta.url));
/** Like Proxmox's `setpriv --reset-env`: a default PATH, nothing from certnode's environment. */
export const SCRIPT_PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Names data lines may not set: the runner's own, and ones that change how a shell starts. */
const RESERVED_KEYS = new Set(['PATH', 'HOME', 'TMPDIR', 'IFS', 'ENV', 'BASH_ENV', 'CDPATH', 'PS4', 'SHELLOPTS', 'BASHOPTS', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'CERTNODE_SHIM_LIB']);
/**
 * A data value is a secret when its key's name says so (CF_Key, PDNS_Token, AWS_SECRET_ACCESS_KEY,
 * HE_Password, NC_Apipw, ...) — unless the value is the path of an existing file (NSUPDATE_KEY):
 * then the path stays readable and the secrets inside the file are masked instead.
 */
export const SECRET_KEY_NAME = /KEY|TOKEN|SECRET|PASS|PWD|PW|AUTH|CREDENTIAL|PRIVATE|SIG/i;
/** A value that looks like an opaque token is a secret whatever its key's name (OVH_AS, OVH_CK, ...). */
const TOKEN_LIKE = /^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9+/=_~-]{16,}$/;
/** Secrets shorter than this are not masked: masking "60" everywhere would garble the log. */
const MIN_MASKED_LENGTH = 4;
/** Data files larger than this are neither copied for the script nor searched for secrets. */
const MAX_DATA_FILE_BYTES = 1024 * 1024;
const STDERR_TAIL_LINES = 20;
const KILL_GRACE_MS = 1000;
const DRAIN_MS = 1000;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RECORD_NAME = /^_[A-Za-z0-9_-]*(\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)+$/;

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

/** Replaces every secret in `line` by `***` (longest first, so overlapping values mask fully). */
export function maskSecrets(line: string, secrets: readonly string[]): string {
  let out = line;
  for (const secret of secrets) if (secret !== '' && out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

/** Whether a data value is a file the script is handed (its path is not a secret, its content may be). */
function isDataFile(value: string): boolean {
  if (!value.startsWith('/')) return false;
  try {
    const st = fs.statSync(value);
    return st.isFile() && st.size <= MAX_DATA_FILE_BYTES;
  } catch {
    return false;
  }
}

/** Token-like words in a credentials file: a TSIG `secret "..."`, an API key line, a private key's body. */
function secretsInFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return (text.match(/[A-Za-z0-9+/=_~-]{16,}/g) ?? []).filter((word) => TOKEN_LIKE.test(word));
}

/** The strings to mask in everything a script prints, longest first (see SECRET_KEY_NAME). */
export function secretsOf(entries: readonly DataEntry[]): string[] {
  const secrets: string[] = [];
  for (const { key, value } of entries) {
    if (isDataFile(value)) secrets.push(...secretsInFile(value));
    else if (SECRET_KEY_NAME.test(key) || TOKEN_LIKE.test(value)) secrets.push(value);
  }
  return [...new Set(secrets.filter((v) => v.length >= MIN_MASKED_LENGTH))].sort((a, b) => b.length - a.length);
}

/** `_acme-challenge.<domain>`; a wildcard's `*.` is dropped. */
export function challengeRecordName(domain: string): string {
  const name = domain.replace(/^\*\./, '').replace(/\.$/, '');
  if (!/^[A-Za-z0-9_](?:[A-Za-z0-9._-]*[A-Za-z0-9_])?$/.test(name)) throw new PluginError(`invalid domain '${domain}' for a DNS challenge`, '');
  return `_acme-challenge.${name}`;
}

export interface UnreadablePath {
  key: string;
  path: string;
  reason: string;
}

/**
 * Data values that are absolute paths the script will not be able to read. As root the script
 * gets a private copy of every file root can read, so only missing files are reported there.
 */
export function unreadableDataPaths(data: string, asRoot: boolean): UnreadablePath[] {
  let entries: DataEntry[];
  try {
    entries = parsePluginData(data, '');
  } catch {
    return [];
  }
  const out: UnreadablePath[] = [];
  for (const { key, value } of entries) {
    if (!value.startsWith('/')) continue;
    try {
      fs.accessSync(value, fs.constants.R_OK);
      if (asRoot && !fs.statSync(value).isFile()) out.push({ key, path: value, reason: 'not a regular file (the script gets a private copy of data files)' });
    } catch (err) {
      out.push({ key, path: value, reason: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'not readable' });
    }
  }
  return out;
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
  /** The full record name instead (dns-account-01, dns-persist-01: see dns-methods.ts). */
  recordName?: string;
  /** base64url(sha256(key authorization)), or a dns-persist-01 value. */
  txtValue: string;
  /** Per call; default 300 s. */
  timeoutSec?: number;
  /** Every output line of the script, secrets masked. */
  onLine?: (line: string, stream: OutputStream) => void;
  /** Where and as whom the script runs (see Sandbox). */
  sandbox: Omit<SandboxOptions, 'pluginId'>;
  /** Shell that runs the shim (default /bin/sh). */
  shell?: string;
  shimPath?: string;
}

/**
 * One DNS-01 challenge through one DNS script: `setup()` adds the TXT record, `teardown()`
 * removes it and always closes the sandbox (HOME, TMPDIR and the state file the script's save
 * helpers write, so its rm finds the record ids its add saved). Call `teardown()` (or at least
 * `dispose()`) in a finally block.
 */
export class DnsScriptChallenge {
  readonly recordName: string;
  private readonly opts: DnsChallengeOptions;
  private readonly entries: DataEntry[];
  private readonly secrets: string[];
  private sandbox: Sandbox | undefined;
  /** Data values rewritten to the private copies of their files. */
  private env: Record<string, string> | undefined;

  constructor(opts: DnsChallengeOptions) {
    this.opts = opts;
    try {
      this.recordName = opts.recordName ?? challengeRecordName(opts.domain);
    } catch (err) {
      throw new PluginError((err as Error).message, opts.pluginId);
    }
    if (!RECORD_NAME.test(this.recordName)) throw new PluginError(`invalid record name '${this.recordName}'`, opts.pluginId);
    // no quotes, backslashes, $ or backticks: scripts paste the value into JSON and shell lines
    if (!/^[A-Za-z0-9_.;=:/~+-][A-Za-z0-9 _.;=:/~+-]*$/.test(opts.txtValue)) throw new PluginError('invalid TXT value', opts.pluginId);
    if (!/^[A-Za-z0-9_]+$/.test(opts.api)) throw new PluginError(`invalid DNS API name '${opts.api}'`, opts.pluginId);
    this.entries = parsePluginData(opts.data, opts.pluginId);
    this.secrets = secretsOf(this.entries);
  }

  /** The user the script runs as (null: certnode's own), once setup has started. */
  get user(): ScriptUser | null | undefined {
    return this.sandbox?.user;
  }

  /** Adds the record. Aborting `signal` kills the script and everything it started at once (CancelledError). */
  async setup(signal?: AbortSignal): Promise<void> {
    await this.run('setup', signal);
  }

  /** Removes the record, then the sandbox (also when the script fails). */
  async teardown(signal?: AbortSignal): Promise<void> {
    try {
      await this.run('teardown', signal);
    } finally {
      this.dispose();
    }
  }

  /** Kills whatever the script left and removes the sandbox (idempotent). */
  dispose(): void {
    const warning = this.sandbox?.close();
    if (warning) this.emit(`warning: ${warning}`, 'stderr');
  }

  private open(): { sandbox: Sandbox; env: Record<string, string> } {
    if (this.sandbox && this.env) return { sandbox: this.sandbox, env: this.env };
    const sandbox = Sandbox.open({ pluginId: this.opts.pluginId, ...this.opts.sandbox });
    this.sandbox = sandbox;
    const env: Record<string, string> = {};
    let copies = 0;
    for (const { key, value } of this.entries) {
      if (RESERVED_KEYS.has(key)) {
        this.emit(`warning: data variable ${key} is ignored (reserved)`, 'stderr');
        continue;
      }
      env[key] = value;
      // a key file root can read but the script's user cannot: hand the script a private copy,
      // made once, root-owned and readable by the script's group only (it cannot swap it)
      if (sandbox.user && isDataFile(value) && !readableBy(value, sandbox.user)) {
        const copy = path.join(sandbox.dirs.lib, `file${++copies}-${path.basename(value)}`);
        fs.copyFileSync(value, copy, fs.constants.COPYFILE_EXCL);
        fs.chownSync(copy, 0, sandbox.user.gid);
        fs.chmodSync(copy, 0o440);
        env[key] = copy;
      }
    }
    this.env = env;
    return { sandbox, env };
  }

  private async run(action: DnsScriptAction, signal: AbortSignal | undefined): Promise<void> {
    const { opts } = this;
    if (signal?.aborted) throw new CancelledError(`interrupted by ${String(signal.reason)}`, String(signal.reason));
    const { sandbox, env: dataEnv } = this.open();
    const { dirs, user } = sandbox;
    // fresh copies in a directory only root can change: the script's user needs no access
    // to where the scripts are installed (/root/.acme.sh is 0700), and cannot swap them
    const shim = path.join(dirs.lib, 'dnsapi-shim.sh');
    const script = path.join(dirs.lib, `dns_${opts.api}.sh`);
    for (const [from, to] of [[opts.shimPath ?? SHIM_PATH, shim], [opts.scriptPath, script]] as const) {
      fs.copyFileSync(from, to);
      fs.chmodSync(to, 0o644);
    }
    const env = { ...dataEnv, PATH: SCRIPT_PATH_ENV, HOME: dirs.home, TMPDIR: dirs.tmp };

    const shimArgs = [shim, action === 'setup' ? 'add' : 'rm', opts.api, this.recordName, opts.txtValue, dirs.lib, dirs.state];
    const [command, args, spawnIds] = privilegeDrop(user, [opts.shell ?? '/bin/sh', ...shimArgs]);
    const timeoutSec = opts.timeoutSec ?? DEFAULT_DNS_SCRIPT_TIMEOUT_SEC;
    const outcome = await spawnBounded(
      command,
      args,
      { env, cwd: dirs.home, timeoutMs: timeoutSec * 1000, signal, killAll: () => sandbox.killAll(), ...spawnIds },
      (line, stream) => this.emit(line, stream),
    );
    const label = `DNS plugin '${opts.pluginId}' (dns_${opts.api}.sh) ${action}`;
    const tail = outcome.stderrTail.map((l) => maskSecrets(l, this.secrets));
    const tailText = tail.length ? tail.join('\n') : undefined;
    if (outcome.aborted) throw new CancelledError(`interrupted by ${String(signal?.reason)} during ${label}`, String(signal?.reason));
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

/** Mode bits only (ACLs are not looked at): whether `user` may read `file` and pass every directory above it. */
function readableBy(file: string, user: ScriptUser): boolean {
  const permits = (st: fs.Stats, need: number): boolean => {
    const bits = st.uid === user.uid ? (st.mode >> 6) & 7 : st.gid === user.gid ? (st.mode >> 3) & 7 : st.mode & 7;
    return (bits & need) === need;
  };
  try {
    const real = fs.realpathSync(file);
    for (let dir = path.dirname(real); ; dir = path.dirname(dir)) {
      if (!permits(fs.statSync(dir), 0o1)) return false;
      if (dir === '/') break;
    }
    return permits(fs.statSync(real), 0o4);
  } catch {
    return false;
  }
}

const SETPRIV_PATHS = ['/usr/bin/setpriv', '/bin/setpriv'];
const RUNUSER_PATHS = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'];

/** The command that runs `argv` as `user`: setpriv (as Proxmox does), else runuser, else Node's own setuid. */
function privilegeDrop(user: ScriptUser | null, argv: string[]): [string, string[], { uid?: number; gid?: number }] {
  const [cmd, ...rest] = argv as [string, ...string[]];
  if (!user) return [cmd, rest, {}];
  const setpriv = SETPRIV_PATHS.find((p) => fs.existsSync(p));
  // no-new-privs: a setuid binary the script runs gains nothing
  if (setpriv) return [setpriv, ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups', '--no-new-privs', '--', ...argv], {}];
  const runuser = RUNUSER_PATHS.find((p) => fs.existsSync(p));
  if (runuser) return [runuser, ['-m', '-u', user.name, '--', ...argv], {}];
  // libuv drops supplementary groups before setgid/setuid
  return [cmd, rest, { uid: user.uid, gid: user.gid }];
}

interface SpawnOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  aborted: boolean;
  error: Error | undefined;
  stderrTail: string[];
}

interface SpawnOptions {
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** Kills every process of the script's user (its setsid children too). */
  killAll: () => void;
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
    let aborted = false;
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
    const killEverything = (): void => {
      killGroup('SIGKILL');
      opts.killAll();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killTimer = setTimeout(killEverything, KILL_GRACE_MS);
    }, opts.timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      killEverything();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (drainTimer) clearTimeout(drainTimer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      out.flush();
      err.flush();
      resolve({ code: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, aborted, error, stderrTail });
    };
    child.on('error', (e) => {
      error = e;
      finish();
    });
    let drainTimer: NodeJS.Timeout | undefined;
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // whatever the script left running goes too: its group, and as a sandbox user also what
      // left the group (setsid, double forks) — it would hold the pipes open, or outlive us
      killEverything();
      drainTimer = setTimeout(finish, DRAIN_MS);
    });
    child.on('close', finish);
    if (opts.signal?.aborted) onAbort();
  });
}

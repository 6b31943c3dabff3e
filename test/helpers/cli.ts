// Run the built certnode binary the way a user does: own process, minimal environment.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = new URL('../../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin', 'certnode.js');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  configDir?: string;
  env?: Record<string, string>;
  stdin?: string;
  /** Run under a pseudo-terminal (stdout and stderr both go to it; stderr is then ''). */
  tty?: boolean;
  /** Terminal width for tty runs. */
  columns?: number;
  timeoutMs?: number;
  umask?: string;
  /** Pipe certnode's stdout into this shell command (`head -1`); `code` stays certnode's. */
  pipe?: string;
  /**
   * Run as another host: in a UTS namespace of its own (`unshare -u`) with this host name, as a
   * node of a cluster does (same kernel, same PID namespace, another host name).
   */
  hostname?: string;
}

/** Test dns_<api>.sh scripts (stand-ins for cf, acmedns, ... and the runner's test scripts). */
export const DNSAPI_FIXTURES = join(ROOT, 'test', 'fixtures', 'dnsapi');

/**
 * The environment a cron job or provisioning script would give: PATH, a locale, a HOME; and
 * CERTNODE_DNSAPI_DIR, so `plugin add dns --api cf` finds a (stand-in) dns_cf.sh.
 */
export function baseEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    CERTNODE_DNSAPI_DIR: DNSAPI_FIXTURES,
    ...extra,
  };
}

export function runCli(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const env = baseEnv(opts.env);
  if (opts.configDir) env.CERTNODE_CONFIG_DIR = opts.configDir;
  let command = process.execPath;
  let argv = [BIN, ...args];
  if (opts.pipe) {
    const quoted = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
    command = '/bin/bash';
    argv = ['-c', `${opts.umask ? `umask ${opts.umask}; ` : ''}${quoted} | ${opts.pipe}; exit \${PIPESTATUS[0]}`];
  } else if (opts.tty || opts.umask) {
    const quoted = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
    const prefix = `${opts.umask ? `umask ${opts.umask}; ` : ''}${opts.tty ? `stty cols ${opts.columns ?? 200} rows 50 2>/dev/null; ` : ''}`;
    if (opts.tty) {
      command = 'script';
      argv = ['-qec', `${prefix}exec ${quoted}`, '/dev/null'];
    } else {
      command = '/bin/sh';
      argv = ['-c', `${prefix}exec ${quoted}`];
    }
  }
  if (opts.hostname !== undefined) {
    argv = ['-u', 'sh', '-c', 'hostname "$0" && exec "$@"', opts.hostname, command, ...argv];
    command = 'unshare';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`certnode ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 30000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (opts.tty) stdout = stdout.replace(/\r\n/g, '\n');
      resolve({ code, stdout, stderr });
    });
    if (opts.stdin !== undefined) child.stdin.end(opts.stdin);
    else child.stdin.end();
  });
}

export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A fresh config dir, removed by the returned cleanup. */
export function tempDir(prefix = 'certnode-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every file below `dir` with its content and mode, to show that a failed command changed nothing. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${p.slice(dir.length)}/`] = (st.mode & 0o777).toString(8);
        walk(p);
      } else out[p.slice(dir.length)] = `${(st.mode & 0o777).toString(8)} ${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

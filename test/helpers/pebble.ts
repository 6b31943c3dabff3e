// A real Pebble ACME server (and pebble-challtestsrv for DNS) per test file, on free loopback ports.
// Throws — never skips — when the Debian `pebble` package is missing (scripts/run-tests.mjs installs it as root).

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PebbleOptions {
  /** externalAccountBindingRequired, with `eabKeys` as externalAccountMACKeys. */
  eabRequired?: boolean;
  eabKeys?: Record<string, string>;
  /** PEBBLE_WFE_NONCEREJECT percentage (Pebble's default 5 when undefined). */
  nonceReject?: number;
  /** Port Pebble validates http-01 on (default: a free one). */
  httpPort?: number;
  /** PEBBLE_AUTHZREUSE percentage. */
  authzReuse?: number;
  /** DNS server ("host:port") Pebble resolves through (default: its pebble-challtestsrv). */
  dnsServer?: string;
}

export interface Pebble {
  directoryUrl: string;
  managementUrl: string;
  /** PEM of the throw-away CA that signed Pebble's HTTPS certificate: pass as NODE_EXTRA_CA_CERTS. */
  caFile: string;
  httpPort: number;
  tlsPort: number;
  challtestsrv: { dnsAddr: string; managementUrl: string };
  /** Environment for a spawned certnode that talks to this Pebble. */
  env: Record<string, string>;
  /**
   * Requests Pebble's ACME API has handled so far, from its log. The log arrives through a pipe,
   * possibly after the HTTP response: wait until it has been quiet for a moment (bounded).
   */
  requestCount(): Promise<number>;
  log(): string;
  challtestsrvLog(): string;
  /** Pebble's current root / intermediate (new at every start). */
  root(): Promise<string>;
  intermediate(): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 15_000;

function requireBinary(name: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  const path = found.stdout.trim();
  if (found.status !== 0 || path === '') {
    throw new Error(`'${name}' not found: install the Debian package 'pebble' (apt-get install pebble; npm test does this when run as root)`);
  }
  return path;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A throw-away CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI. */
function makeTlsFiles(dir: string): { caFile: string; certFile: string; keyFile: string } {
  const f = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  run(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=certnode test CA']);
  run(['req', ...ec, '-keyout', f('key.pem'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('cert.pem'), '-days', '2', '-extfile', f('ext.cnf')]);
  return { caFile: f('ca.pem'), certFile: f('cert.pem'), keyFile: f('key.pem') };
}

function getText(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function waitUntil(what: string, check: () => Promise<boolean>, logs: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready within ${READY_TIMEOUT_MS} ms (last error: ${String(last)})\n${logs()}`);
}

function startProcess(cmd: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.on('error', (err) => (output += `\nspawn error: ${err.message}\n`));
  return { child, output: () => output };
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
    }, 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startPebble(opts: PebbleOptions = {}): Promise<Pebble> {
  const pebbleBin = requireBinary('pebble');
  const challBin = requireBinary('pebble-challtestsrv');
  const dir = mkdtempSync(join(tmpdir(), 'certnode-pebble-'));
  const tls = makeTlsFiles(dir);
  const ca = readFileSync(tls.caFile, 'utf8');
  const [listen, management, dnsPort, challMgmt, tlsPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const httpPort = opts.httpPort ?? (await freePort());

  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  // No http-01/https-01/tls-alpn-01 listeners (they would take 5001-5003 on all addresses);
  // no AAAA answers, so Pebble validates over 127.0.0.1 where the test listeners are.
  const chall = startProcess(
    challBin,
    ['-http01', '', '-https01', '', '-tlsalpn01', '', '-defaultIPv6', '', '-defaultIPv4', '127.0.0.1', '-dns01', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${challMgmt}`],
    baseEnv,
  );

  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${listen}`,
      managementListenAddress: `127.0.0.1:${management}`,
      certificate: tls.certFile,
      privateKey: tls.keyFile,
      httpPort,
      tlsPort,
      ocspResponderURL: '',
      externalAccountBindingRequired: opts.eabRequired === true,
      ...(opts.eabKeys ? { externalAccountMACKeys: opts.eabKeys } : {}),
    },
  };
  const configFile = join(dir, 'pebble-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const pebbleEnv: Record<string, string> = { ...baseEnv, PEBBLE_VA_NOSLEEP: '1' };
  if (opts.nonceReject !== undefined) pebbleEnv.PEBBLE_WFE_NONCEREJECT = String(opts.nonceReject);
  if (opts.authzReuse !== undefined) pebbleEnv.PEBBLE_AUTHZREUSE = String(opts.authzReuse);
  const pebble = startProcess(pebbleBin, ['-config', configFile, '-dnsserver', opts.dnsServer ?? `127.0.0.1:${dnsPort}`], pebbleEnv);

  const logs = (): string => `--- pebble log ---\n${pebble.output()}\n--- pebble-challtestsrv log ---\n${chall.output()}`;
  const stop = async (): Promise<void> => {
    await Promise.all([stopProcess(pebble.child), stopProcess(chall.child)]);
    rmSync(dir, { recursive: true, force: true });
  };

  const directoryUrl = `https://127.0.0.1:${listen}/dir`;
  const managementUrl = `https://127.0.0.1:${management}`;
  try {
    await waitUntil('pebble-challtestsrv', async () => {
      if (chall.child.exitCode !== null) throw new Error(`exited with ${chall.child.exitCode}`);
      const res = await fetch(`http://127.0.0.1:${challMgmt}/`, { signal: AbortSignal.timeout(2000) });
      return res.status > 0;
    }, logs);
    await waitUntil('pebble', async () => {
      if (pebble.child.exitCode !== null) throw new Error(`exited with ${pebble.child.exitCode}`);
      return (await getText(directoryUrl, ca)).status === 200;
    }, logs);
  } catch (err) {
    await stop();
    throw err;
  }

  const fetchPem = async (path: string): Promise<string> => {
    const res = await getText(`${managementUrl}${path}`, ca);
    if (res.status !== 200) throw new Error(`GET ${managementUrl}${path}: HTTP ${res.status}`);
    return res.body;
  };

  return {
    directoryUrl,
    managementUrl,
    caFile: tls.caFile,
    httpPort,
    tlsPort,
    challtestsrv: { dnsAddr: `127.0.0.1:${dnsPort}`, managementUrl: `http://127.0.0.1:${challMgmt}` },
    // The machine presets NODE_EXTRA_CA_CERTS to the system bundle; the CLI must trust our CA instead.
    env: { NODE_EXTRA_CA_CERTS: tls.caFile },
    requestCount: async () => {
      const count = (): number => (pebble.output().match(/ -> calling handler\(\)/g) ?? []).length;
      const deadline = Date.now() + 2000;
      let last = count();
      for (;;) {
        await new Promise((r) => setTimeout(r, 150));
        const now = count();
        if (now === last || Date.now() > deadline) return now;
        last = now;
      }
    },
    log: pebble.output,
    challtestsrvLog: chall.output,
    root: () => fetchPem('/roots/0'),
    intermediate: () => fetchPem('/intermediates/0'),
    stop,
  };
}

/**
 * Tests that share one Pebble per file: starts it before the first test, stops it after the
 * last, and appends both servers' logs to the error of a failing test.
 */
export function pebbleFixture(opts: PebbleOptions = {}): {
  start(): Promise<void>;
  stop(): Promise<void>;
  get(): Pebble;
  /** Wrap a test body so a failure carries the server logs. */
  withLogs<T>(fn: () => Promise<T>): () => Promise<T>;
} {
  let pebble: Pebble | undefined;
  return {
    async start() {
      pebble = await startPebble(opts);
    },
    async stop() {
      await pebble?.stop();
    },
    get() {
      if (!pebble) throw new Error('pebble not started');
      return pebble;
    },
    withLogs(fn) {
      return async () => {
        try {
          return await fn();
        } catch (err) {
          if (pebble && err instanceof Error) {
            const tail = (text: string): string => text.split('\n').slice(-80).join('\n');
            err.message += `\n--- pebble log (tail) ---\n${tail(pebble.log())}\n--- pebble-challtestsrv log (tail) ---\n${tail(pebble.challtestsrvLog())}`;
          }
          throw err;
        }
      };
    },
  };
}

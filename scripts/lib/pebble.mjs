// A real Pebble ACME server and pebble-challtestsrv (its DNS) on free loopback ports, with a
// throw-away TLS CA for Pebble's HTTPS. Shared by the tests (test/helpers/pebble.ts imports it
// as '#pebble'), `npm run demo` and `npm run bench`. Types: pebble.d.mts next to this file.
//
// Both servers write their logs to files, never to a pipe: a pipe (a socketpair under Node) is
// only drained while the owner's event loop runs, and a caller that blocks it (spawnSync,
// execFileSync of the CLI) would leave Pebble blocked in its log write — every Pebble
// goroutine waits on Go's log mutex, requests hang. That is what stalled N=50 orders.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findPebble, PEBBLE_HOME, PEBBLE_MIN_VERSION } from './pebble-install.mjs';

const READY_TIMEOUT_MS = 15_000;

/**
 * The Debian packages the harness needs besides Pebble itself, for ensurePackages(); Pebble >= 2.10
 * comes from ensurePebble() (scripts/lib/pebble-install.mjs: Debian's forky/sid package, unpacked).
 */
export const PEBBLE_PACKAGES = [{ command: 'openssl', pkg: 'openssl' }];
export { ensurePebble, findPebble, PEBBLE_MIN_VERSION, versionAtLeast } from './pebble-install.mjs';

/**
 * Pebble's profiles unless a test sets its own: one, like Let's Encrypt's `classic` (90 days, the
 * CSR's first name kept as the subject CN). One only, because Pebble picks a RANDOM profile for an
 * order that names none. Pebble's own default profile would drop the CN.
 */
export const DEFAULT_PROFILES = { classic: { description: '90 days, the common name kept (like Let\'s Encrypt classic)', validityPeriod: 90 * 86400, promoteCommonName: true } };

/** User-Agent of the harness's own requests: Pebble 2.10 refuses requests without one (RFC 8555 §6.1). */
const USER_AGENT = 'certnode-test-harness';

function requirePebble() {
  const found = findPebble();
  if (!found) {
    throw new Error(`Pebble >= ${PEBBLE_MIN_VERSION} not found: npm test, npm run demo and npm run bench install it when run as root (Debian's forky/sid package 'pebble', unpacked into ${PEBBLE_HOME})`);
  }
  return found;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
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
export function makeTlsFiles(dir) {
  const f = (name) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const run = (args) => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  };
  run(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=certnode test CA']);
  run(['req', ...ec, '-keyout', f('key.pem'), '-out', f('server.csr'), '-subj', '/CN=localhost']);
  writeFileSync(f('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run(['x509', '-req', '-in', f('server.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('cert.pem'), '-days', '2', '-extfile', f('ext.cnf')]);
  return { caFile: f('ca.pem'), certFile: f('cert.pem'), keyFile: f('key.pem') };
}

function getText(url, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ca, agent: false, timeout: 2000, headers: { 'User-Agent': USER_AGENT } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function postJson(url, body, ca) {
  return new Promise((resolve, reject) => {
    const payload = Buffer.from(JSON.stringify(body));
    const req = https.request(url, { method: 'POST', ca, agent: false, timeout: 5000, headers: { 'User-Agent': USER_AGENT, 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

async function waitUntil(what, check, logs) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last;
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

/** Start `cmd` with stdout and stderr appended to `logFile`. */
function startProcess(cmd, args, env, logFile) {
  const fd = openSync(logFile, 'a');
  let spawnError = '';
  let child;
  try {
    child = spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
  } finally {
    closeSync(fd); // the child has its own copy
  }
  child.on('error', (err) => (spawnError += `\nspawn error: ${err.message}\n`));
  const output = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + spawnError;
  return { child, output };
}

function stopProcess(child) {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** @param {import('./pebble.d.mts').PebbleOptions} [opts] */
export async function startPebble(opts = {}) {
  const { pebble: pebbleBin, challtestsrv: challBin } = requirePebble();
  const dir = mkdtempSync(join(tmpdir(), 'certnode-pebble-'));
  const tls = makeTlsFiles(dir);
  const ca = readFileSync(tls.caFile, 'utf8');
  const [listen, management, dnsPort, challMgmt, tlsPortFree] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const httpPort = opts.httpPort ?? (await freePort());
  const tlsPort = opts.tlsPort ?? tlsPortFree;

  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir };
  // No http-01/https-01/tls-alpn-01/DoH listeners (they would take 5001-5003 and 8443 on all
  // addresses); no AAAA answers, so Pebble validates over 127.0.0.1 where the test listeners are.
  const challLog = join(dir, 'pebble-challtestsrv.log');
  const chall = startProcess(
    challBin,
    ['-http01', '', '-https01', '', '-tlsalpn01', '', '-doh', '', '-defaultIPv6', '', '-defaultIPv4', '127.0.0.1', '-dnsserver', `127.0.0.1:${dnsPort}`, '-management', `127.0.0.1:${challMgmt}`],
    baseEnv,
    challLog,
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
      profiles: opts.profiles ?? DEFAULT_PROFILES,
      ...(opts.retryAfter ? { retryAfter: opts.retryAfter } : {}),
      ...(opts.keyAlgorithm ? { keyAlgorithm: opts.keyAlgorithm } : {}),
    },
  };
  const configFile = join(dir, 'pebble-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const pebbleEnv = { ...baseEnv };
  if (opts.vaNoSleep !== false) pebbleEnv.PEBBLE_VA_NOSLEEP = '1';
  if (opts.nonceReject !== undefined) pebbleEnv.PEBBLE_WFE_NONCEREJECT = String(opts.nonceReject);
  if (opts.authzReuse !== undefined) pebbleEnv.PEBBLE_AUTHZREUSE = String(opts.authzReuse);
  if (opts.alternateRoots !== undefined) pebbleEnv.PEBBLE_ALTERNATE_ROOTS = String(opts.alternateRoots);
  const pebbleLog = join(dir, 'pebble.log');
  const pebble = startProcess(pebbleBin, ['-config', configFile, '-dnsserver', opts.dnsServer ?? `127.0.0.1:${dnsPort}`], pebbleEnv, pebbleLog);

  const logs = () => `--- pebble log ---\n${pebble.output()}\n--- pebble-challtestsrv log ---\n${chall.output()}`;
  let stopped;
  const stop = () => {
    stopped ??= Promise.all([stopProcess(pebble.child), stopProcess(chall.child)]).then(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    return stopped;
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

  const fetchPem = async (path) => {
    const res = await getText(`${managementUrl}${path}`, ca);
    if (res.status !== 200) throw new Error(`GET ${managementUrl}${path}: HTTP ${res.status}`);
    return res.body;
  };
  const logSize = () => (existsSync(pebbleLog) ? statSync(pebbleLog).size : 0);

  return {
    directoryUrl,
    managementUrl,
    caFile: tls.caFile,
    httpPort,
    tlsPort,
    pids: { pebble: pebble.child.pid, challtestsrv: chall.child.pid },
    challtestsrv: { dnsAddr: `127.0.0.1:${dnsPort}`, managementUrl: `http://127.0.0.1:${challMgmt}` },
    // The machine presets NODE_EXTRA_CA_CERTS to the system bundle; the CLI must trust our CA instead.
    env: { NODE_EXTRA_CA_CERTS: tls.caFile },
    requestCount: async () => {
      const count = () => (pebble.output().match(/ -> calling handler\(\)/g) ?? []).length;
      // Pebble logs a request before handling it, so the file is complete once it stops growing.
      const deadline = Date.now() + 2000;
      let last = logSize();
      for (;;) {
        await new Promise((r) => setTimeout(r, 100));
        const now = logSize();
        if (now === last || Date.now() > deadline) return count();
        last = now;
      }
    },
    log: pebble.output,
    challtestsrvLog: chall.output,
    async setRenewalInfo(certificatePem, info) {
      const ARIResponse = typeof info === 'string' ? info : JSON.stringify(info);
      const res = await postJson(`${managementUrl}/set-renewal-info/`, { Certificate: certificatePem, ARIResponse }, ca);
      if (res.status !== 200) throw new Error(`POST ${managementUrl}/set-renewal-info/: HTTP ${res.status} ${res.body}`);
    },
    root: (index = 0) => fetchPem(`/roots/${index}`),
    intermediate: (index = 0) => fetchPem(`/intermediates/${index}`),
    stop,
  };
}

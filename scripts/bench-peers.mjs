#!/usr/bin/env node
// `npm run bench -- --peers`: certnode beside certbot and lego (Debian's packages, installed when
// missing) on the same first-time work — register an account and get one certificate for N fresh
// http-01 names — against a local Pebble. Runs are interleaved client by client (certbot, lego,
// certnode, certbot, …) so that machine drift hits all three alike, and every run gets a fresh
// Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0, no nonce rejection) and fresh state dirs.
// Also: an apex + wildcard dns-01 row through a real BIND 9 (RFC 2136: certbot's dns-rfc2136
// plugin, lego's rfc2136 provider, certnode's nsupdate test script), and the scale runs (an order
// of 100 http-01 names, a renewal with 100 dns-01 names). Prints a Markdown report and writes it
// into BENCHMARKS.md between the peers markers (--no-write: print only).
//
//   node scripts/bench.mjs --peers [--sizes 1,10,50,100] [--runs 3] [--clients certbot,lego,certnode]
//        [--timeout 600] [--max-names lego=10] [--scale-names 100] [--no-dns] [--no-scale] [--no-build] [--no-write]
//
// Benchmarks, not tests: nothing here runs in `npm test`.

import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ensurePebble, findPebble, PEBBLE_PACKAGES, startPebble } from './lib/pebble.mjs';
import { ensurePackages } from './lib/prereqs.mjs';
import { cleanupOnSignals, median, writeRssHook } from './lib/bench-common.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'certnode.js');
const BENCH_FILE = join(ROOT, 'BENCHMARKS.md');
const BEGIN = '<!-- bench-peers:begin (written by npm run bench -- --peers) -->';
const END = '<!-- bench-peers:end -->';
const RFC2136_PLUGIN = '/usr/lib/python3/dist-packages/certbot_dns_rfc2136/__init__.py';

/** The Debian packages this benchmark needs besides Pebble's (ensurePackages entries). */
export const PEER_PACKAGES = [
  { command: 'certbot', pkg: 'certbot' },
  { command: 'lego', pkg: 'lego' },
  { file: RFC2136_PLUGIN, pkg: 'python3-certbot-dns-rfc2136' },
  { command: 'named', pkg: 'bind9' },
  { command: 'nsupdate', pkg: 'bind9-dnsutils' },
];

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SIZES = option('--sizes', '1,10,50,100').split(',').map(Number);
const RUNS = Number(option('--runs', '3'));
const CLIENTS = option('--clients', 'certbot,lego,certnode').split(',');
const TIMEOUT_MS = Number(option('--timeout', '600')) * 1000;
const SCALE_NAMES = Number(option('--scale-names', '100'));
/** `--max-names lego=10,…`: leave a client out of the larger N (lego validates one name after another). */
const MAX_NAMES = Object.fromEntries(option('--max-names', '').split(',').filter(Boolean).map((kv) => kv.split('=')).map(([c, n]) => [c, Number(n)]));
const flag = (name) => process.argv.includes(name);

const say = (line) => console.error(`==> ${line}`);
const work = mkdtempSync(join(os.tmpdir(), 'certnode-bench-peers-'));
const RSS_HOOK = writeRssHook(work);

const running = new Set(); // servers to stop on the way out
const cleanup = async () => {
  await Promise.all([...running].map((s) => s.stop()));
  rmSync(work, { recursive: true, force: true });
};
cleanupOnSignals(cleanup);

const secs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '—');

/** Run a command asynchronously (Pebble and BIND keep running meanwhile), timed, bounded. */
function run(cmd, args, { env, cwd = work, timeoutMs = TIMEOUT_MS, rssFile } = {}) {
  return new Promise((resolve) => {
    let out = '';
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      c.kill('SIGKILL');
    }, timeoutMs);
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('error', (err) => (out += `\nspawn error: ${err.message}`));
    c.on('close', (code) => {
      clearTimeout(timer);
      const rssKiB = rssFile && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : undefined;
      resolve({ code, out, timedOut, wallMs: Number(process.hrtime.bigint() - t0) / 1e6, rssKiB });
    });
  });
}

class RunFailed extends Error {}
function check(what, r) {
  if (r.timedOut) throw new RunFailed(`${what}: no result within ${TIMEOUT_MS / 1000} s`);
  if (r.code !== 0) throw new RunFailed(`${what} failed (exit ${r.code}):\n${r.out.slice(-2500)}`);
  return r;
}

/** A run counts only when the client left a certificate for exactly `names` where it says it does. */
function issued(client, file, names) {
  if (!existsSync(file)) throw new RunFailed(`${client}: exit 0 but no certificate at ${file}`);
  const sans = (new X509Certificate(readFileSync(file)).subjectAltName ?? '').split(', ').map((s) => s.replace(/^DNS:/, '')).sort();
  if (sans.join(',') !== [...names].sort().join(',')) throw new RunFailed(`${client}: the certificate at ${file} names ${sans.length} names, not the ${names.length} ordered`);
}

const baseEnv = (home) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1' });

// ---- the three clients: the whole first-time work, in a fresh state dir ---------------------

/** certbot: one `certonly` registers the account and gets the certificate (standalone http-01). */
async function certbot(server, names, dir, dns) {
  const env = { ...baseEnv(dir), REQUESTS_CA_BUNDLE: server.caFile };
  const args = ['certonly', '--non-interactive', '--agree-tos', '--register-unsafely-without-email', '--no-eff-email', '--server', server.directoryUrl, '--config-dir', join(dir, 'config'), '--work-dir', join(dir, 'work'), '--logs-dir', join(dir, 'logs'), '--cert-name', 'bench'];
  if (dns) {
    const ini = join(dir, 'rfc2136.ini');
    writeFileSync(ini, `dns_rfc2136_server = 127.0.0.1\ndns_rfc2136_port = ${dns.port}\ndns_rfc2136_name = ${dns.keyName}\ndns_rfc2136_secret = ${dns.secret}\ndns_rfc2136_algorithm = HMAC-SHA256\n`, { mode: 0o600 });
    args.push('--dns-rfc2136', '--dns-rfc2136-credentials', ini, '--dns-rfc2136-propagation-seconds', '0');
  } else {
    args.push('--standalone', '--preferred-challenges', 'http', '--http-01-port', String(server.httpPort), '--http-01-address', '127.0.0.1');
  }
  for (const n of names) args.push('-d', n);
  const r = check('certbot', await run('certbot', args, { env }));
  issued('certbot', join(dir, 'config', 'live', 'bench', 'fullchain.pem'), names);
  return { totalMs: r.wallMs };
}

/** lego: one `run` registers the account and gets the certificate (its own http-01 server). */
async function lego(server, names, dir, dns) {
  const env = { ...baseEnv(dir), LEGO_CA_CERTIFICATES: server.caFile };
  const args = ['--server', server.directoryUrl, '--accept-tos', '--email', 'bench@example.com', '--path', join(dir, 'lego')];
  if (dns) {
    Object.assign(env, { RFC2136_NAMESERVER: dns.addr, RFC2136_TSIG_KEY: dns.keyName, RFC2136_TSIG_SECRET: dns.secret, RFC2136_TSIG_ALGORITHM: 'hmac-sha256.' });
    // the zone is not delegated: find it through BIND itself, and skip the check against the
    // zone's (unreachable) NS set — certnode checks against the same server
    args.push('--dns', 'rfc2136', '--dns.resolvers', dns.addr, '--dns.disable-cp');
  } else {
    args.push('--http', '--http.port', `127.0.0.1:${server.httpPort}`);
  }
  for (const n of names) args.push('--domains', n);
  args.push('run');
  const r = check('lego', await run('lego', args, { env }));
  issued('lego', join(dir, 'lego', 'certificates', `${names[0].replace('*', '_')}.crt`), names);
  return { totalMs: r.wallMs };
}

/** certnode: the four commands a first-time user runs; the order timed on its own too. */
async function certnode(server, names, dir, dns) {
  // Pebble's CA through certnode's own option, as certbot and lego get it through theirs
  const env = { ...baseEnv(dir), CERTNODE_CONFIG_DIR: dir, CERTNODE_CA_BUNDLE: server.caFile };
  const cli = async (args, opts = {}) => check(`certnode ${args.slice(0, 3).join(' ')}`, await run(process.execPath, opts.rssFile ? ['--require', RSS_HOOK, BIN, ...args] : [BIN, ...args], { env: opts.rssFile ? { ...env, CERTNODE_BENCH_RSS: opts.rssFile } : env, ...opts }));
  const steps = [['acme', 'account', 'register', 'default', 'bench@example.com', '--directory', server.directoryUrl, '--agree-tos']];
  if (dns) {
    Object.assign(env, { CERTNODE_DNSAPI_DIR: join(ROOT, 'test', 'fixtures', 'dnsapi'), CERTNODE_DNS_RESOLVERS: dns.addr });
    const data = join(dir, 'nsupdate.data');
    writeFileSync(data, `NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=${dns.port}\nNSUPDATE_KEY=${dns.keyFile}\nNSUPDATE_ZONE=${dns.zone}\n`, { mode: 0o600 });
    steps.push(['acme', 'plugin', 'add', 'dns', 'bind', '--api', 'certnodensupdate', '--data', data]);
    steps.push(['config', 'set', ...names.flatMap((n, i) => [`--acmedomain${i}`, `domain=${n},plugin=bind`])]);
  } else {
    steps.push(['acme', 'plugin', 'set', 'standalone', '--port', String(server.httpPort), '--address', '127.0.0.1']);
    steps.push(['config', 'set', '--acme', `domains=${names.join(';')}`]);
  }
  let setupMs = 0;
  for (const step of steps) setupMs += (await cli(step)).wallMs;
  const before = await server.requestCount();
  const rssFile = join(dir, 'rss');
  const order = await cli(['acme', 'cert', 'order'], { rssFile });
  const requests = (await server.requestCount()) - before;
  issued('certnode', join(dir, 'certs', 'certnode.pem'), names);
  return { totalMs: setupMs + order.wallMs, orderMs: order.wallMs, requests, rssKiB: order.rssKiB, env, cli };
}

const CLIENT_RUNNERS = { certbot, lego, certnode };

function version(client) {
  const pkg = { certbot: 'certbot', lego: 'lego', certnode: undefined }[client];
  if (!pkg) return JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  return spawnSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).stdout.trim() || 'unknown';
}

// ---- the benchmarks ------------------------------------------------------------------------

/** One client's run of `names` on a fresh Pebble; failures and timeouts are recorded, not fatal. */
async function oneRun(client, names, tag, pebbleOpts = {}, dns) {
  const server = await startPebble({ authzReuse: 0, nonceReject: 0, vaNoSleep: true, ...pebbleOpts });
  running.add(server);
  const dir = mkdtempSync(join(work, `${client}-${tag}-`));
  try {
    const before = await server.requestCount();
    const r = await CLIENT_RUNNERS[client](server, names, dir, dns);
    const allRequests = (await server.requestCount()) - before;
    return { ok: true, ...r, allRequests };
  } catch (err) {
    if (!(err instanceof RunFailed)) throw err;
    say(`${client} ${tag}: ${err.message.split('\n')[0]}`);
    return { ok: false, error: err.message };
  } finally {
    running.delete(server);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(runs) {
  const ok = runs.filter((r) => r.ok);
  const t = ok.map((r) => r.totalMs);
  if (runs.length === 0) return { runs: 0, ok: 0, medianMs: NaN, skipped: true };
  return {
    runs: runs.length,
    ok: ok.length,
    medianMs: ok.length === runs.length ? median(t) : NaN,
    minMs: ok.length ? Math.min(...t) : NaN,
    maxMs: ok.length ? Math.max(...t) : NaN,
    orderMs: median(ok.map((r) => r.orderMs).filter((x) => x !== undefined)),
    requests: [...new Set(ok.map((r) => r.requests).filter((x) => x !== undefined))].join('/'),
    allRequests: [...new Set(ok.map((r) => r.allRequests))].join('/'),
    rssMiB: median(ok.map((r) => r.rssKiB).filter((x) => x !== undefined)) / 1024,
    error: runs.find((r) => !r.ok)?.error,
  };
}

async function benchHttp() {
  const rows = [];
  for (const n of SIZES) {
    const runs = Object.fromEntries(CLIENTS.map((c) => [c, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const client of CLIENTS) {
        if (n > (MAX_NAMES[client] ?? Infinity)) continue;
        const names = Array.from({ length: n }, (_, k) => `n${k}.r${i}.${client}.s${n}.bench.test`);
        const r = await oneRun(client, names, `s${n}-r${i}`);
        runs[client].push(r);
        if (r.ok) say(`N=${n} run ${i + 1}/${RUNS} ${client}: ${secs(r.totalMs)}${r.orderMs !== undefined ? ` (order ${secs(r.orderMs)}, ${r.requests} requests)` : ''}`);
      }
    }
    rows.push({ n, ...Object.fromEntries(CLIENTS.map((c) => [c, summarize(runs[c])])) });
  }
  return rows;
}

async function withBind(fn) {
  const { startBind } = await import('../dist/test/helpers/bind.js');
  const bind = await startBind('bench.test');
  running.add(bind);
  try {
    return await fn({ ...bind, zone: 'bench.test' });
  } finally {
    running.delete(bind);
    await bind.stop();
  }
}

async function benchDns() {
  return withBind(async (bind) => {
    const runs = Object.fromEntries(CLIENTS.map((c) => [c, []]));
    for (let i = 0; i < RUNS; i++) {
      for (const client of CLIENTS) {
        const r = await oneRun(client, ['bench.test', '*.bench.test'], `dns-r${i}`, { dnsServer: bind.addr }, bind);
        runs[client].push(r);
        if (r.ok) say(`dns-01 apex + wildcard run ${i + 1}/${RUNS} ${client}: ${secs(r.totalMs)}`);
      }
    }
    return Object.fromEntries(CLIENTS.map((c) => [c, summarize(runs[c])]));
  });
}

/** certnode alone: an order of SCALE_NAMES dns-01 names through BIND, then a forced renewal of it. */
async function benchScaleDns() {
  return withBind(async (bind) => {
    const server = await startPebble({ authzReuse: 0, nonceReject: 0, vaNoSleep: true, dnsServer: bind.addr });
    running.add(server);
    const dir = mkdtempSync(join(work, 'scale-dns-'));
    try {
      const names = Array.from({ length: SCALE_NAMES }, (_, k) => `d${k}.bench.test`);
      const first = await certnode(server, names, dir, bind);
      say(`${SCALE_NAMES} dns-01 names: order ${secs(first.orderMs)}, ${first.requests} requests`);
      const before = await server.requestCount();
      const renew = await first.cli(['acme', 'cert', 'renew', '--force'], { rssFile: join(dir, 'rss-renew') });
      const requests = (await server.requestCount()) - before;
      say(`${SCALE_NAMES} dns-01 names: renewal ${secs(renew.wallMs)}, ${requests} requests`);
      return { names: SCALE_NAMES, order: { ms: first.orderMs, requests: first.requests, rssMiB: first.rssKiB / 1024 }, renew: { ms: renew.wallMs, requests, rssMiB: renew.rssKiB / 1024 } };
    } finally {
      running.delete(server);
      await server.stop();
    }
  });
}

// ---- the report ----------------------------------------------------------------------------

function machine() {
  const sh = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim();
  return {
    nproc: sh('nproc') || String(os.availableParallelism()),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    load: os.loadavg().map((l) => l.toFixed(2)).join(' '),
    node: process.version,
    pebble: findPebble()?.version ?? 'unknown',
    commit: sh(`git -C '${ROOT}' rev-parse --short HEAD 2>/dev/null`) || 'unknown',
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
  };
}

const cell = (s) => (s.skipped ? 'not run (--max-names)' : s.ok === s.runs ? `${secs(s.medianMs)} (${secs(s.minMs)}–${secs(s.maxMs)})` : s.ok === 0 ? `failed (${s.error?.includes('no result within') ? `> ${TIMEOUT_MS / 1000} s` : 'error'})` : `${s.ok}/${s.runs} ok`);
const ratio = (a, b) => (Number.isFinite(a?.medianMs) && Number.isFinite(b?.medianMs) ? (a.medianMs / b.medianMs).toFixed(2) : '—');

function report(m, http, dns, scale, loadBefore, loadAfter) {
  const L = [];
  L.push(`Measured ${m.date} at commit ${m.commit}: certbot ${version('certbot')}, lego ${version('lego')}, certnode ${version('certnode')} (Debian packages; certnode built from this tree).`, '');
  // the 1-minute load average when the run started, against the CPUs: above half of them busy, say so
  const busy = Number(String(loadBefore).split(/\s+/)[0]) > Number(m.nproc) / 2;
  if (busy) L.push(`**Measured under load**: the machine was busy while this ran (load average ${loadBefore} before, ${loadAfter} after, on ${m.nproc} CPUs), so every figure is inflated and noisy — run \`npm run bench -- --peers\` again on a quiet machine before drawing conclusions; only the ratios of interleaved runs are meaningful here.`, '');
  else L.push(`Load average ${loadBefore} before and ${loadAfter} after the run, on ${m.nproc} CPUs.`, '');
  L.push('| machine | |', '|---|---|');
  L.push(`| CPUs (nproc) | ${m.nproc} |`, `| CPU model | ${m.cpu} |`, `| memory | ${m.memory} |`, `| kernel | ${m.kernel} |`, `| Node.js | ${m.node} |`, `| Pebble (Debian) | ${m.pebble} |`, '');
  const head = ['N names', ...CLIENTS.map((c) => `${c} ${c === 'certnode' ? version(c) : version(c).replace(/-\d+$/, '')}`)];
  const both = CLIENTS.includes('certbot') && CLIENTS.includes('certnode');
  L.push(`### First-time work, N http-01 names (median (min–max) of ${RUNS} interleaved runs, each on a fresh Pebble)`, '');
  L.push(`| ${[...head, ...(both ? ['certnode / certbot'] : [])].join(' | ')} |`, `|${head.map(() => '---:').join('|')}|${both ? '---:|' : ''}`);
  for (const row of http) L.push(`| ${[row.n, ...CLIENTS.map((c) => cell(row[c])), ...(both ? [ratio(row.certnode, row.certbot)] : [])].join(' | ')} |`);
  L.push('');
  if (CLIENTS.includes('certnode')) {
    L.push('certnode\'s part of it: the single `acme cert order` (process start to exit) and the ACME requests Pebble handled for it (directory GET and nonce HEAD included); the order path\'s bound is 2N+8 directory aside, i.e. 2N+9 here.', '');
    L.push('| N names | `acme cert order` median | ACME requests | 2N+9 | peak RSS | all requests of the work: ' + CLIENTS.join(' / ') + ' |', '|---:|---:|---:|---:|---:|---:|');
    for (const row of http) {
      const s = row.certnode;
      L.push(`| ${row.n} | ${secs(s.orderMs)} | ${s.requests || '—'} | ${2 * row.n + 9} | ${Number.isFinite(s.rssMiB) ? `${s.rssMiB.toFixed(0)} MiB` : '—'} | ${CLIENTS.map((c) => row[c].allRequests || '—').join(' / ')} |`);
    }
    L.push('');
  }
  if (dns) {
    L.push(`### dns-01: bench.test + *.bench.test through BIND 9 (RFC 2136; ${RUNS} interleaved runs)`, '');
    L.push(`| ${CLIENTS.join(' | ')} |${both ? ' certnode / certbot |' : ''}`, `|${CLIENTS.map(() => '---:').join('|')}|${both ? '---:|' : ''}`);
    L.push(`| ${CLIENTS.map((c) => cell(dns[c])).join(' | ')} |${both ? ` ${ratio(dns.certnode, dns.certbot)} |` : ''}`, '');
    L.push('certbot: `--dns-rfc2136` with `--dns-rfc2136-propagation-seconds 0`; lego: `--dns rfc2136` with `--dns.resolvers` at BIND and `--dns.disable-cp` (the zone is not delegated); certnode: its nsupdate test script (`test/fixtures/dnsapi`), propagation checked against BIND (`CERTNODE_DNS_RESOLVERS`). certbot and certnode wait no fixed time; lego waits its rfc2136 provider\'s `RFC2136_SEQUENCE_INTERVAL` (default 60 s) between the two records, left at its default as a user gets it.', '');
  }
  if (scale) {
    L.push(`### Scale: ${scale.names} dns-01 names through BIND (certnode only)`, '');
    L.push('| | wall time | ACME requests (directory included) | 2N+9 | peak RSS |', '|---|---:|---:|---:|---:|');
    L.push(`| \`acme cert order\` (first certificate) | ${secs(scale.order.ms)} | ${scale.order.requests} | ${2 * scale.names + 9} | ${scale.order.rssMiB.toFixed(0)} MiB |`);
    L.push(`| \`acme cert renew --force\` | ${secs(scale.renew.ms)} | ${scale.renew.requests} | ${2 * scale.names + 9} | ${scale.renew.rssMiB.toFixed(0)} MiB |`, '');
    L.push('The DNS script runs once per name and record, one call at a time (add, then remove after validation), each in its own sandbox: that, not the ACME side, is most of this time.', '');
  }
  return L.join('\n');
}

function writeBenchmarks(section) {
  const block = `${BEGIN}\n${section}\n${END}`;
  let text = existsSync(BENCH_FILE) ? readFileSync(BENCH_FILE, 'utf8') : '# Benchmarks\n';
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n## certnode, certbot and lego\n\n${block}\n`;
  writeFileSync(BENCH_FILE, text);
}

export async function main() {
  try {
    const unknown = CLIENTS.filter((c) => !(c in CLIENT_RUNNERS));
    if (unknown.length) throw new Error(`unknown client(s) in --clients: ${unknown.join(', ')} (known: certbot, lego, certnode)`);
    const prereqs = ensurePackages([...PEBBLE_PACKAGES, ...PEER_PACKAGES], { purpose: 'peer benchmark prerequisites', log: say });
    if (!prereqs.ok) throw new Error(prereqs.message);
    const pebbleReady = ensurePebble({ log: say });
    if (!pebbleReady.ok) throw new Error(pebbleReady.message);
    if (!flag('--no-build')) {
      say('Building');
      const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
      if (!existsSync(tsc)) throw new Error(`${tsc} not found: run 'npm ci' first`);
      if (spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error('build failed');
    }
    const m = machine();
    const loadBefore = m.load;
    const http = await benchHttp();
    const dns = flag('--no-dns') ? undefined : await benchDns();
    const scale = flag('--no-scale') || !CLIENTS.includes('certnode') ? undefined : await benchScaleDns();
    const section = report(m, http, dns, scale, loadBefore, os.loadavg().map((l) => l.toFixed(2)).join(' '));
    console.log(section);
    if (!flag('--no-write')) {
      writeBenchmarks(section);
      say(`Results written to ${BENCH_FILE}`);
    }
    await cleanup();
    process.exit(0);
  } catch (err) {
    console.error(`BENCH FAILED: ${err instanceof Error ? err.message : String(err)}`);
    await cleanup();
    process.exit(1);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

#!/usr/bin/env node
// `npm run bench`: certnode against a local Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0,
// no nonce rejection). Measures, per order of N fresh names (fresh account and config dir per
// run): wall time of `certnode acme cert order` (process start to exit), ACME HTTP requests
// Pebble handled (from its log; directory GET and nonce HEADs included) and the CLI's peak RSS.
// Then start-up time of a few commands against `node -e 0`. Prints a Markdown report and
// writes it into BENCHMARKS.md between the bench markers (--no-write: print only).
//
//   node scripts/bench.mjs [--no-build] [--no-write] [--sizes 1,10,50,100] [--runs 5] [--startup-runs 20]
//   node scripts/bench.mjs --peers …   (certbot and lego beside certnode: see scripts/bench-peers.mjs)

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ensurePebble, findPebble, PEBBLE_PACKAGES, startPebble } from './lib/pebble.mjs';
import { ensurePackages } from './lib/prereqs.mjs';
import { cleanupOnSignals, median, writeRssHook } from './lib/bench-common.mjs';

// `--peers`: certnode beside certbot and lego instead (scripts/bench-peers.mjs; it exits)
if (process.argv.includes('--peers')) await (await import('./bench-peers.mjs')).main();

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'certnode.js');
const BENCH_FILE = join(ROOT, 'BENCHMARKS.md');
const BEGIN = '<!-- bench:begin (written by npm run bench) -->';
const END = '<!-- bench:end -->';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const SIZES = option('--sizes', '1,10,50,100').split(',').map(Number);
const RUNS = Number(option('--runs', '5'));
const STARTUP_RUNS = Number(option('--startup-runs', '20'));
const ORDER_TIMEOUT_MS = 300_000;

const say = (line) => console.error(`==> ${line}`);

const work = mkdtempSync(join(os.tmpdir(), 'certnode-bench-'));
const RSS_HOOK = writeRssHook(work);

let pebble;
const cleanup = async () => {
  await pebble?.stop();
  rmSync(work, { recursive: true, force: true });
};
cleanupOnSignals(cleanup);

const ms = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1));

/** Run the CLI asynchronously (never block the event loop while servers run), timed. */
function certnode(env, args, { rss = false, timeoutMs = 60_000 } = {}) {
  const rssFile = join(work, `rss-${process.hrtime.bigint()}`);
  const argv = rss ? ['--require', RSS_HOOK, BIN, ...args] : [BIN, ...args];
  return new Promise((resolve) => {
    let out = '';
    const t0 = process.hrtime.bigint();
    const c = spawn(process.execPath, argv, { env: rss ? { ...env, CERTNODE_BENCH_RSS: rssFile } : env, stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => c.kill('SIGKILL'), timeoutMs);
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (out += d));
    c.on('close', (code) => {
      clearTimeout(timer);
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      const rssKiB = rss && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : undefined;
      resolve({ code, out, wallMs, rssKiB });
    });
  });
}

async function must(env, args, opts) {
  const r = await certnode(env, args, opts);
  if (r.code !== 0) throw new Error(`certnode ${args.join(' ')} failed (exit ${r.code}):\n${r.out.slice(-3000)}`);
  return r;
}

function machine() {
  const sh = (cmd) => spawnSync('sh', ['-c', cmd], { encoding: 'utf8' }).stdout.trim();
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  return {
    nproc: sh('nproc') || String(os.availableParallelism()),
    cpu,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    pebble: findPebble()?.version ?? 'unknown',
    certnode: JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version,
    commit: sh(`git -C '${ROOT}' rev-parse --short HEAD 2>/dev/null`) || 'unknown',
    date: new Date().toISOString().slice(0, 10),
  };
}

async function benchOrders() {
  const rows = [];
  let renewEnv;
  for (const n of SIZES) {
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const configDir = mkdtempSync(join(work, `cfg-${n}-`));
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: configDir, LANG: 'C.UTF-8', NO_COLOR: '1', CERTNODE_CONFIG_DIR: configDir, CERTNODE_CA_BUNDLE: pebble.caFile };
      await must(env, ['acme', 'account', 'register', 'default', `bench${n}-${run}@example.com`, '--directory', pebble.directoryUrl, '--agree-tos']);
      await must(env, ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1']);
      const names = Array.from({ length: n }, (_, i) => `n${i}.r${run}.s${n}.bench.test`);
      await must(env, ['config', 'set', '--acme', `domains=${names.join(';')}`]);
      const before = await pebble.requestCount();
      const r = await must(env, ['acme', 'cert', 'order'], { rss: true, timeoutMs: ORDER_TIMEOUT_MS });
      const requests = (await pebble.requestCount()) - before;
      runs.push({ wallMs: r.wallMs, requests, rssKiB: r.rssKiB });
      say(`N=${n} run ${run + 1}/${RUNS}: ${ms(r.wallMs)} ms, ${requests} requests, peak RSS ${r.rssKiB ? (r.rssKiB / 1024).toFixed(0) : '?'} MiB`);
      // has a fresh certificate: renew is not due (the start-up rows' env: Pebble's CA as NODE_EXTRA_CA_CERTS)
      if (n === SIZES[0] && run === 0) renewEnv = { PATH: env.PATH, HOME: env.HOME, LANG: env.LANG, NO_COLOR: env.NO_COLOR, CERTNODE_CONFIG_DIR: configDir, ...pebble.env };
    }
    const requests = [...new Set(runs.map((r) => r.requests))].join('/');
    rows.push({
      n,
      medianMs: median(runs.map((r) => r.wallMs)),
      minMs: Math.min(...runs.map((r) => r.wallMs)),
      maxMs: Math.max(...runs.map((r) => r.wallMs)),
      requests,
      formula: 2 * n + 7,
      rssMiB: median(runs.map((r) => r.rssKiB ?? NaN)) / 1024,
    });
  }
  return { rows, renewEnv };
}

/**
 * dns-01 for an apex + wildcard pair through a real BIND 9 (RFC 2136, the nsupdate test
 * script): the two script calls run one after another, then both propagation checks together.
 */
async function benchDns() {
  const { startBind } = await import('../dist/test/helpers/bind.js');
  const fixtures = join(ROOT, 'test', 'fixtures', 'dnsapi');
  const bind = await startBind('bench.test');
  const dnsPebble = await startPebble({ authzReuse: 0, nonceReject: 0, vaNoSleep: true, dnsServer: bind.addr });
  try {
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const configDir = mkdtempSync(join(work, 'cfg-dns-'));
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: configDir, LANG: 'C.UTF-8', NO_COLOR: '1', CERTNODE_CONFIG_DIR: configDir, CERTNODE_DNSAPI_DIR: fixtures, CERTNODE_DNS_RESOLVERS: bind.addr, CERTNODE_CA_BUNDLE: dnsPebble.caFile };
      const data = join(configDir, 'nsupdate.data');
      writeFileSync(data, `NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=${bind.port}\nNSUPDATE_KEY=${bind.keyFile}\nNSUPDATE_ZONE=bench.test\n`);
      await must(env, ['acme', 'account', 'register', 'default', `dns${run}@example.com`, '--directory', dnsPebble.directoryUrl, '--agree-tos']);
      await must(env, ['acme', 'plugin', 'add', 'dns', 'bind', '--api', 'certnodensupdate', '--data', data, '--validation-delay', '30']);
      await must(env, ['config', 'set', '--acmedomain0', 'domain=bench.test,plugin=bind', '--acmedomain1', 'domain=*.bench.test,plugin=bind']);
      const r = await must(env, ['acme', 'cert', 'order'], { rss: true, timeoutMs: ORDER_TIMEOUT_MS });
      runs.push(r.wallMs);
      say(`dns-01 apex + wildcard run ${run + 1}/${RUNS}: ${ms(r.wallMs)} ms`);
    }
    return { medianMs: median(runs), minMs: Math.min(...runs), maxMs: Math.max(...runs) };
  } finally {
    await dnsPebble.stop();
    await bind.stop();
  }
}

const RETRY_AFTER = { authz: 3, order: 5 };
const RETRY_AFTER_NAMES = 2;
const RETRY_AFTER_RUNS = 3;

/** One order of `n` fresh names against `server` (fresh account and config dir), timed. */
async function orderOnce(server, n, tag) {
  const configDir = mkdtempSync(join(work, `cfg-${tag}-`));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: configDir, LANG: 'C.UTF-8', NO_COLOR: '1', CERTNODE_CONFIG_DIR: configDir, CERTNODE_CA_BUNDLE: server.caFile };
  await must(env, ['acme', 'account', 'register', 'default', `${tag}@example.com`, '--directory', server.directoryUrl, '--agree-tos']);
  await must(env, ['acme', 'plugin', 'set', 'standalone', '--port', String(server.httpPort), '--address', '127.0.0.1']);
  await must(env, ['config', 'set', '--acme', `domains=${Array.from({ length: n }, (_, i) => `n${i}.${tag}.bench.test`).join(';')}`]);
  return (await must(env, ['acme', 'cert', 'order'], { timeoutMs: ORDER_TIMEOUT_MS })).wallMs;
}

/** What a CA's Retry-After costs: the same order against Pebble with and without `retryAfter`. */
async function benchRetryAfter() {
  const without = [];
  for (let run = 0; run < RETRY_AFTER_RUNS; run++) without.push(await orderOnce(pebble, RETRY_AFTER_NAMES, `ra-none-${run}`));
  const slow = await startPebble({ authzReuse: 0, nonceReject: 0, vaNoSleep: true, retryAfter: RETRY_AFTER });
  try {
    const withIt = [];
    for (let run = 0; run < RETRY_AFTER_RUNS; run++) withIt.push(await orderOnce(slow, RETRY_AFTER_NAMES, `ra-${run}`));
    say(`Retry-After: ${ms(median(without))} ms without, ${ms(median(withIt))} ms with authz ${RETRY_AFTER.authz} s / order ${RETRY_AFTER.order} s`);
    return [
      { label: 'none (Pebble default)', medianMs: median(without), minMs: Math.min(...without), maxMs: Math.max(...without) },
      { label: `authz ${RETRY_AFTER.authz} s, order ${RETRY_AFTER.order} s`, medianMs: median(withIt), minMs: Math.min(...withIt), maxMs: Math.max(...withIt) },
    ];
  } finally {
    await slow.stop();
  }
}

/** CPU time (user + sys, ms) of one child run, from bash's `times` (children's line). */
function cpuTimeOf(argv, opts) {
  const r = spawnSync('bash', ['-c', '"$@" >/dev/null 2>&1; status=$?; times; exit $status', 'bash', process.execPath, ...argv], { ...opts, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (r.status !== 0 || secs.length !== 2) throw new Error(`cpu time of ${argv.join(' ')}: exit ${r.status}, '${line}'`);
  return (secs[0] + secs[1]) * 1000;
}

/**
 * Time each case STARTUP_RUNS times, interleaved (round i runs every case once, the baseline
 * first), after 2 warm-up rounds. A shared machine's load drifts over seconds; interleaving puts
 * every case under the same load, and the ratio to the baseline is taken per round, then the
 * median. CPU time (user + sys) is measured too, in a second run per case and round: it hardly
 * depends on what else the machine is doing, where wall time on a loaded machine does.
 */
function timeInterleaved(cases, run, opts) {
  const times = cases.map(() => []);
  const ratios = cases.map(() => []);
  const cpuRatios = cases.map(() => []);
  for (let round = 0; round < STARTUP_RUNS + 2; round++) {
    const t = cases.map((c) => {
      const t0 = process.hrtime.bigint();
      const r = run(c);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}): ${r.stderr}`);
      return ms;
    });
    const cpu = cases.map((c) => cpuTimeOf(c.argv, opts));
    if (round < 2) continue; // warm-up (page cache)
    t.forEach((ms, i) => {
      times[i].push(ms);
      ratios[i].push(ms / t[0]);
      cpuRatios[i].push(cpu[i] / cpu[0]);
    });
  }
  return cases.map((c, i) => {
    const row = { label: c.label, medianMs: median(times[i]), minMs: Math.min(...times[i]), maxMs: Math.max(...times[i]), ratio: median(ratios[i]), cpuRatio: median(cpuRatios[i]) };
    say(`${c.label}: median ${ms(row.medianMs)} ms, ${row.ratio.toFixed(2)} x baseline (CPU ${row.cpuRatio.toFixed(2)} x)`);
    return row;
  });
}

/**
 * Start-up of a few commands against `node -e 0`, in two environments: a clean one (what most
 * hosts have) and one with NODE_EXTRA_CA_CERTS set (here Pebble's CA, as for a private CA): with
 * it, every node process, `node -e 0` too, builds Node's whole root store when it starts, so the
 * baseline is longer and the same extra work of certnode a smaller ratio.
 */
async function benchStartup(renewEnv) {
  const cases = [
    { label: '`node -e 0` (baseline)', argv: ['-e', '0'] },
    { label: '`certnode --help`', argv: [BIN, '--help'] },
    { label: '`certnode acme plugin list`', argv: [BIN, 'acme', 'plugin', 'list'] },
    { label: '`certnode acme cert renew` (not due)', argv: [BIN, 'acme', 'cert', 'renew'] },
    // for comparison: the same build without the bundle (what bin/certnode.js ran before)
    { label: '`certnode --help` from tsc output, unbundled', argv: [join(ROOT, 'dist', 'src', 'main.js'), '--help'] },
  ];
  // the renewal's ARI answer stored (a run that may reach Pebble), so that every timed run is the
  // same not-due check from the stored answer
  const first = spawnSync(process.execPath, [BIN, 'acme', 'cert', 'renew'], { env: renewEnv, encoding: 'utf8' });
  if (first.status !== 0 || /ARI:/.test(first.stdout)) throw new Error(`renew before the start-up rounds: exit ${first.status}: ${first.stdout}${first.stderr}`);
  const { NODE_EXTRA_CA_CERTS: extraCa, ...clean } = renewEnv;
  const result = {};
  for (const [name, env] of [['clean', clean], ['extraCa', { ...clean, NODE_EXTRA_CA_CERTS: extraCa }]]) {
    say(`Start-up, ${name === 'clean' ? 'clean environment' : 'NODE_EXTRA_CA_CERTS set'}`);
    // spawnSync is safe here: Pebble logs to a file (see scripts/lib/pebble.mjs)
    const rows = timeInterleaved(cases, (c) => spawnSync(process.execPath, c.argv, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }), { env });
    const base = rows[0].medianMs;
    result[name] = rows.map((r) => ({ ...r, overMs: r.medianMs - base }));
  }
  return result;
}

/**
 * What loading the ACME layer costs on its own: a bare node importing acme-client as a whole
 * (what certnode did before the bundle) against loading the bundle's ACME chunk the way certnode
 * does (bin/bundle-loader.cjs, with its code cache). Clean environment.
 */
function benchAcmeLoad() {
  const loader = join(ROOT, 'bin', 'bundle-loader.cjs');
  const bundle = join(ROOT, 'dist', 'bundle');
  const cases = [
    { label: '`node -e 0` (baseline)', code: '0' },
    { label: "`import('acme-client')` (the whole package)", code: "await import('acme-client')" },
    { label: 'the bundle\'s `acme-lib` chunk (what certnode loads)', code: `(await import(${JSON.stringify(loader)})).default.openBundle(${JSON.stringify(bundle)})('acme-lib')` },
  ].map((c) => ({ ...c, argv: ['--input-type=module', '-e', c.code] }));
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root' };
  const rows = timeInterleaved(cases, (c) => spawnSync(process.execPath, c.argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' }), { cwd: ROOT, env });
  // the cost over bare node, per round ratios turned back into milliseconds of the baseline's median
  return rows.map((r) => ({ ...r, overMs: (r.ratio - 1) * rows[0].medianMs }));
}

function report(m, orders, dns, startup, acmeLoad, retryAfter) {
  const lines = [];
  lines.push(`Measured ${m.date} at commit ${m.commit} (certnode ${m.certnode}).`, '');
  lines.push('| machine | |', '|---|---|');
  lines.push(`| CPUs (nproc) | ${m.nproc} |`, `| CPU model | ${m.cpu} |`, `| memory | ${m.memory} |`, `| kernel | ${m.kernel} |`, `| Node.js | ${m.node} |`, `| Pebble (Debian) | ${m.pebble} |`, '');
  lines.push(`### One order of N names (http-01, standalone plugin; ${RUNS} runs per N, each with a fresh account)`, '');
  lines.push('| N names | wall time median (min–max) | ACME requests | 2N+7 | peak RSS (median) |', '|---:|---:|---:|---:|---:|');
  for (const r of orders) {
    lines.push(`| ${r.n} | ${ms(r.medianMs)} ms (${ms(r.minMs)}–${ms(r.maxMs)}) | ${r.requests} | ${r.formula} | ${Number.isFinite(r.rssMiB) ? `${r.rssMiB.toFixed(0)} MiB` : '?'} |`);
  }
  lines.push('');
  lines.push('Wall time is the whole `certnode acme cert order` process (start-up, key generation, validation, issuance, install). ACME requests are the requests Pebble logged handling during the order, the directory GET and nonce HEADs included.', '');
  lines.push(`### dns-01: apex + wildcard through BIND 9 (RFC 2136, nsupdate script; ${RUNS} runs)`, '');
  lines.push('| names | wall time median (min–max) |', '|---|---:|');
  lines.push(`| bench.test, *.bench.test | ${ms(dns.medianMs)} ms (${ms(dns.minMs)}–${ms(dns.maxMs)}) |`, '');
  lines.push('The two DNS script calls run one after another (provider APIs that rewrite a whole record set need that), each in its own sandbox user; the propagation checks of both records run together.', '');
  const startupTable = (rows) => {
    lines.push('| command | wall median | min–max | over `node -e 0` | wall × `node -e 0` (goal ≤ 1.3) | CPU time × `node -e 0` |', '|---|---:|---:|---:|---:|---:|');
    for (const r of rows) {
      const baseline = r.label.includes('baseline');
      lines.push(`| ${r.label} | ${ms(r.medianMs)} ms | ${ms(r.minMs)}–${ms(r.maxMs)} ms | ${baseline ? '—' : `+${ms(r.overMs)} ms`} | ${baseline ? '1.00' : r.ratio.toFixed(2)} | ${baseline ? '1.00' : r.cpuRatio.toFixed(2)} |`);
    }
  };
  lines.push(`### Start-up, clean environment (${STARTUP_RUNS} rounds after 2 warm-up rounds, the commands interleaved)`, '');
  startupTable(startup.clean);
  lines.push('', 'What most hosts run certnode in: no NODE_EXTRA_CA_CERTS. Output is a pipe, as from a script or a timer.', '');
  lines.push(`### Start-up, NODE_EXTRA_CA_CERTS set (same rounds)`, '');
  startupTable(startup.extraCa);
  lines.push('', 'NODE_EXTRA_CA_CERTS names one PEM file (here Pebble\'s CA). With it set, every Node process builds its whole root store at start, `node -e 0` included: the baseline is longer, certnode\'s own extra milliseconds hardly change, so the ratios are smaller. (certnode\'s own variable for a private CA, CERTNODE_CA_BUNDLE, costs only the processes that talk to the CA.)');
  lines.push('', `The ratios are medians of per-round ratios; the load average (1, 5, 15 min) when it ended was ${os.loadavg().map((x) => x.toFixed(1)).join(', ')} on ${m.nproc} CPUs: on a busy machine wall time grows for everything, the extra work of certnode most (CPU time hardly changes).`);
  lines.push('', `### Loading the ACME layer (${STARTUP_RUNS} rounds after 2 warm-up rounds, interleaved, clean environment)`, '');
  lines.push('| what a bare node imports | wall median | wall × `node -e 0` | CPU time × `node -e 0` |', '|---|---:|---:|---:|');
  for (const r of acmeLoad) lines.push(`| ${r.label} | ${ms(r.medianMs)} ms | ${r.ratio.toFixed(2)} | ${r.cpuRatio.toFixed(2)} |`);
  const [, whole, ours] = acmeLoad;
  const share = (x, y) => (((x - 1) / (y - 1)) * 100).toFixed(0);
  lines.push('', `Over bare node, the bundle's ACME chunk costs ${share(ours.ratio, whole.ratio)} % (wall) and ${share(ours.cpuRatio, whole.cpuRatio)} % (CPU) of what importing acme-client as a whole costs (goal: at most 50 %).`);
  lines.push('', `### What a CA's Retry-After costs (an order of ${RETRY_AFTER_NAMES} names, ${RETRY_AFTER_RUNS} runs each)`, '');
  lines.push('| Pebble `retryAfter` | wall time median (min–max) |', '|---|---:|');
  for (const r of retryAfter) lines.push(`| ${r.label} | ${ms(r.medianMs)} ms (${ms(r.minMs)}–${ms(r.maxMs)}) |`);
  lines.push('', 'certnode honours a Retry-After (up to 30 s at once) and reports it in the task log; it polls the order, not each authorization, while the CA validates, so only the order\'s Retry-After (on a processing order, after finalize) is on the path. Without one it keeps its short first looks.');
  return lines.join('\n');
}

function writeBenchmarks(section) {
  const block = `${BEGIN}\n${section}\n${END}`;
  let text = existsSync(BENCH_FILE) ? readFileSync(BENCH_FILE, 'utf8') : `# Benchmarks\n\n${BEGIN}\n${END}\n`;
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  text = a >= 0 && b > a ? text.slice(0, a) + block + text.slice(b + END.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(BENCH_FILE, text);
}

try {
  const prereqs = ensurePackages([...PEBBLE_PACKAGES, { command: 'named', pkg: 'bind9' }, { command: 'nsupdate', pkg: 'bind9-dnsutils' }], { purpose: 'benchmark prerequisites', log: say });
  if (!prereqs.ok) throw new Error(prereqs.message);
  const pebbleReady = ensurePebble({ log: say });
  if (!pebbleReady.ok) throw new Error(pebbleReady.message);
  if (!process.argv.includes('--no-build')) {
    say('Building');
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    if (!existsSync(tsc)) throw new Error(`${tsc} not found: run 'npm ci' first`);
    if (spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error('build failed');
    if (spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] }).status !== 0) throw new Error('bundle failed');
  }
  say('Starting Pebble (PEBBLE_VA_NOSLEEP=1, PEBBLE_AUTHZREUSE=0, PEBBLE_WFE_NONCEREJECT=0)');
  pebble = await startPebble({ authzReuse: 0, nonceReject: 0, vaNoSleep: true });
  const m = machine();
  const { rows, renewEnv } = await benchOrders();
  const dns = await benchDns();
  const startup = await benchStartup(renewEnv);
  const acmeLoad = benchAcmeLoad();
  const retryAfter = await benchRetryAfter();
  const section = report(m, rows, dns, startup, acmeLoad, retryAfter);
  console.log(section);
  if (!process.argv.includes('--no-write')) {
    writeBenchmarks(section);
    say(`Results written to ${BENCH_FILE}`);
  }
  await cleanup();
  process.exit(0);
} catch (err) {
  console.error(`BENCH FAILED: ${err instanceof Error ? err.message : String(err)}`);
  if (pebble) console.error(`--- pebble log (tail) ---\n${pebble.log().split('\n').slice(-40).join('\n')}`);
  await cleanup();
  process.exit(1);
}

#!/usr/bin/env node
// The README's "run" command (`npm ci && npm run demo`): certnode's main job end to end against a
// local Pebble ACME server. Fetches Pebble 2.10 (Debian forky/sid, as root) when missing, builds, starts Pebble
// and pebble-challtestsrv on free loopback ports, registers an account in a temporary config dir,
// orders a certificate for three names over http-01 with the standalone plugin, shows it, and
// verifies the installed chain against Pebble's root and intermediate. Never reads stdin.
// Stops Pebble and removes the temporary files on success, failure and Ctrl-C.
//
//   node scripts/demo.mjs [--no-build]      exit 0 when everything worked, 1 otherwise

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePebble, PEBBLE_PACKAGES, startPebble } from './lib/pebble.mjs';
import { ensurePackages } from './lib/prereqs.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN = join(ROOT, 'bin', 'certnode.js');
const DOMAINS = ['a.demo.test', 'b.demo.test', 'c.demo.test'];

const say = (line) => console.log(`==> ${line}`);

class DemoError extends Error {}

/** Resources to release, newest first, on any way out. */
const cleanups = [];
let child; // the certnode process running right now
let exiting = false;

async function cleanup() {
  while (cleanups.length) {
    const fn = cleanups.pop();
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    console.error(`\n==> ${signal}: stopping Pebble and cleaning up`);
    child?.kill('SIGTERM');
    void cleanup().finally(() => process.exit(code));
  });
}

/** Run certnode with its output shown as it comes (indented) and captured. */
function certnode(env, args) {
  console.log(`\n$ certnode ${args.join(' ')}`);
  return new Promise((resolve) => {
    let out = '';
    const c = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    const show = (d) => {
      out += d;
      process.stdout.write(String(d).replace(/^(?=.)/gm, '    '));
    };
    c.stdout.setEncoding('utf8').on('data', show);
    c.stderr.setEncoding('utf8').on('data', show);
    c.on('error', (err) => resolve({ code: null, out: `${out}\n${err.message}` }));
    c.on('close', (code) => {
      child = undefined;
      resolve({ code, out });
    });
  });
}

async function step(env, args) {
  const r = await certnode(env, args);
  if (r.code !== 0) throw new DemoError(`'certnode ${args.join(' ')}' failed with exit status ${r.code}`);
  return r.out;
}

function openssl(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}

function splitPem(text) {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
}

async function main() {
  const build = !process.argv.includes('--no-build');

  say('Checking prerequisites (openssl, and Pebble >= 2.10 from Debian)');
  const prereqs = ensurePackages(PEBBLE_PACKAGES, { purpose: 'demo prerequisites', log: say });
  if (!prereqs.ok) throw new DemoError(prereqs.message);
  const pebbleReady = ensurePebble({ log: say });
  if (!pebbleReady.ok) throw new DemoError(pebbleReady.message);

  if (build) {
    say('Building (tsc -p tsconfig.json, then the bundle bin/certnode.js runs)');
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    if (!existsSync(tsc)) throw new DemoError(`${tsc} not found: run 'npm ci' first`);
    const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json')], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) throw new DemoError('build failed');
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'bundle.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (b.status !== 0) throw new DemoError('bundle failed');
  }
  if (!existsSync(join(ROOT, 'dist', 'src', 'main.js'))) throw new DemoError("dist/src/main.js missing: run 'npm run build'");

  say('Starting Pebble and pebble-challtestsrv on free loopback ports (throw-away TLS CA for Pebble\'s HTTPS)');
  const pebble = await startPebble({ nonceReject: 0, authzReuse: 0 });
  cleanups.push(async () => {
    say('Stopping Pebble');
    await pebble.stop();
  });
  say(`Pebble directory ${pebble.directoryUrl}, validates http-01 on 127.0.0.1:${pebble.httpPort}, DNS (challtestsrv) ${pebble.challtestsrv.dnsAddr} answers every A query with 127.0.0.1 (pids ${pebble.pids.pebble} ${pebble.pids.challtestsrv})`);

  const configDir = mkdtempSync(join(tmpdir(), 'certnode-demo-'));
  cleanups.push(() => rmSync(configDir, { recursive: true, force: true }));
  say(`Using temporary config dir ${configDir}`);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: configDir,
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    CERTNODE_CONFIG_DIR: configDir,
    ...pebble.env,
  };

  try {
    await step(env, ['acme', 'account', 'register', 'default', 'demo@example.com', '--directory', pebble.directoryUrl, '--agree-tos']);
    await step(env, ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1']);
    await step(env, ['config', 'set', '--acme', `domains=${DOMAINS.join(';')}`]);
    await step(env, ['config', 'get']);
    const started = Date.now();
    await step(env, ['acme', 'cert', 'order']);
    const orderMs = Date.now() - started;
    await step(env, ['cert', 'info']);
    await step(env, ['acme', 'cert', 'renew']);

    say('Verifying the installed chain against Pebble\'s root and intermediate (management /roots/0, /intermediates/0)');
    const work = mkdtempSync(join(tmpdir(), 'certnode-demo-verify-'));
    cleanups.push(() => rmSync(work, { recursive: true, force: true }));
    const installed = splitPem(readFileSync(join(configDir, 'certs', 'certnode.pem'), 'utf8'));
    if (installed.length < 2) throw new DemoError(`installed chain has ${installed.length} certificate(s), expected leaf + intermediate`);
    const files = {
      root: join(work, 'pebble-root.pem'),
      intermediate: join(work, 'pebble-intermediate.pem'),
      leaf: join(work, 'leaf.pem'),
      chainRest: join(work, 'installed-intermediates.pem'),
    };
    writeFileSync(files.root, await pebble.root());
    writeFileSync(files.intermediate, await pebble.intermediate());
    writeFileSync(files.leaf, installed[0]);
    writeFileSync(files.chainRest, installed.slice(1).join(''));
    for (const [what, untrusted] of [['Pebble\'s intermediate', files.intermediate], ['the intermediates in the installed chain', files.chainRest]]) {
      const v = openssl(['verify', '-purpose', 'sslserver', '-CAfile', files.root, '-untrusted', untrusted, files.leaf]);
      console.log(`$ openssl verify -CAfile pebble-root.pem -untrusted ${untrusted === files.intermediate ? 'pebble-intermediate.pem' : 'installed-intermediates.pem'} leaf.pem\n    ${v.out}`);
      if (!v.ok) throw new DemoError(`the installed certificate does not verify with ${what}`);
    }
    const san = openssl(['x509', '-in', files.leaf, '-noout', '-ext', 'subjectAltName']);
    const missing = DOMAINS.filter((d) => !san.out.includes(`DNS:${d}`));
    if (!san.ok || missing.length) throw new DemoError(`certificate lacks ${missing.join(', ')}: ${san.out}`);
    say(`Certificate names: ${DOMAINS.join(', ')}`);
    const keyMatch = [
      openssl(['x509', '-in', files.leaf, '-noout', '-pubkey']).out,
      openssl(['pkey', '-in', join(configDir, 'certs', 'certnode.key'), '-pubout']).out,
    ];
    if (keyMatch[0] === '' || keyMatch[0] !== keyMatch[1]) throw new DemoError('installed key does not match the installed certificate');
    say('Installed key matches the certificate');
    say(`Demo OK: certificate for ${DOMAINS.length} names ordered (${orderMs} ms), installed and verified`);
  } catch (err) {
    const tail = (text) => text.split('\n').slice(-40).join('\n');
    console.error(`\n--- pebble log (tail) ---\n${tail(pebble.log())}\n--- pebble-challtestsrv log (tail) ---\n${tail(pebble.challtestsrvLog())}`);
    throw err;
  }
}

try {
  await main();
  await cleanup();
  process.exit(0);
} catch (err) {
  if (!exiting) {
    console.error(`\nDEMO FAILED: ${err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    await cleanup();
    process.exit(1);
  }
}

// 200 SIGKILLs at random instants of write commands (config set, plugin add/set/remove, cert set),
// two at a time on one config dir. Afterwards every file parses, the installed and the .old pair
// match, and once each kind of write has run again, no temp file, staged file, journal or lock is
// left. Seeded: CERTNODE_KILL_SEED=<n> replays a run.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { opensslCert, pairMatches } from '../helpers/certs.ts';
import { BIN, baseEnv, runCli, tempDir } from '../helpers/cli.ts';

const KILLS = 200;
const LANES = 2;
const SEED = Number(process.env.CERTNODE_KILL_SEED ?? 20261128);

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run certnode and SIGKILL it after `ms` (if it has not finished by then). */
function runAndKill(args: string[], cfg: string, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv({ CERTNODE_CONFIG_DIR: cfg }), stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() && !name.endsWith('.lock') ? [p, ...walk(p)] : [p];
  });
}

test(`${KILLS} random SIGKILLs of write commands (seed ${SEED}) leave parsable files and a matching pair`, async (t) => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  const cfg = join(dir, 'cfg');
  const pairs = [opensslCert(dir, 'a'), opensslCert(dir, 'b'), opensslCert(dir, 'c')];
  // two installs, so a .old pair exists whether or not a killed run's install gets through
  for (const p of [pairs[2]!, pairs[0]!]) {
    const setup = await runCli(['cert', 'set', p.certFile, p.keyFile, '--force'], { configDir: cfg });
    assert.equal(setup.code, 0, setup.stderr);
  }
  const random = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const commands: (() => string[])[] = [
    () => ['config', 'set', `--acmedomain${Math.floor(random() * 10)}`, `n${Math.floor(random() * 1000)}.example.com`],
    () => ['config', 'set', '--description', `run ${Math.floor(random() * 1000)}`],
    () => ['acme', 'plugin', 'add', 'standalone', `p${Math.floor(random() * 20)}`, '--port', String(8000 + Math.floor(random() * 100))],
    () => ['acme', 'plugin', 'set', 'standalone', '--port', String(1 + Math.floor(random() * 65535))],
    () => ['acme', 'plugin', 'remove', `p${Math.floor(random() * 20)}`],
    () => {
      const p = pick(pairs);
      return ['cert', 'set', p.certFile, p.keyFile, '--force'];
    },
  ];
  const started = Date.now();
  const plan = Array.from({ length: KILLS }, () => ({ args: pick(commands)(), ms: 50 + Math.floor(random() * 450) }));
  for (let i = 0; i < KILLS; i += LANES) {
    await Promise.all(plan.slice(i, i + LANES).map((step) => runAndKill(step.args, cfg, step.ms)));
  }
  t.diagnostic(`${KILLS} kills in ${Math.round((Date.now() - started) / 1000)} s`);

  // Every file parses, and the pair matches (a command that reads it completes an interrupted install first).
  for (const args of [['config', 'get'], ['acme', 'plugin', 'list'], ['cert', 'info']]) {
    const r = await runCli(args, { configDir: cfg, timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const certs = join(cfg, 'certs');
  const read = (f: string): string => readFileSync(join(certs, f), 'utf8');
  assert.ok(pairMatches(read('certnode.pem'), read('certnode.key')), 'installed pair matches');
  assert.ok(pairMatches(read('certnode.pem.old'), read('certnode.key.old')), '.old pair matches');

  // One more write of each kind sweeps what killed writers left; then nothing is left over.
  const p = pairs[1]!;
  for (const args of [
    ['config', 'set', '--description', 'after the run'],
    ['acme', 'plugin', 'add', 'standalone', 'final', '--port', '9999'],
    ['cert', 'set', p.certFile, p.keyFile, '--force'],
  ]) {
    const r = await runCli(args, { configDir: cfg, timeoutMs: 60_000 });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const leftovers = walk(cfg)
    .map((f) => f.slice(cfg.length))
    .filter((f) => /\.tmp-|certnode-new|\.journal$|\.lock$|\.reclaim$|\.stale-|\.gone-/.test(f));
  assert.deepEqual(leftovers, []);
  assert.equal(read('certnode.pem'), p.cert);
  assert.equal(read('certnode.key'), p.key);
});

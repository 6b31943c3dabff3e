// Locks under contention: 20 writers at once, with an abandoned lock of every kind in the way.
// Every update lands, every writer exits 0, and the lock is gone afterwards.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EMPTY_CLAIM_MS, LOCK_STALE_MS } from '../../src/core/store/lock.ts';
import { BIN, baseEnv, runCli, tempDir } from '../helpers/cli.ts';
import { freePort } from '../helpers/pebble.ts';

const WRITERS = 20;
const REPETITIONS = 10;

/** A PID that was in use a moment ago and is not now. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

/** Abandoned locks as they are found after crashes: pid files of older certnodes and lock directories nobody refreshes. */
const STALE_LOCKS: { name: string; make: (lock: string) => void }[] = [
  { name: 'pid file of a dead process', make: (lock) => writeFileSync(lock, `${deadPid()}\n`) },
  { name: 'pid file of a live unrelated process (pid 1)', make: (lock) => writeFileSync(lock, '1\n') },
  { name: 'empty file', make: (lock) => writeFileSync(lock, '') },
  {
    name: 'lock directory not refreshed for a minute, owner on another host',
    make: (lock) => {
      mkdirSync(lock);
      writeFileSync(join(lock, 'owner'), 'otherhost 1 1700000000\n');
      const old = new Date(Date.now() - 60_000);
      utimesSync(lock, old, old);
    },
  },
  {
    name: 'empty lock directory (killed before writing its owner) not refreshed for a minute',
    make: (lock) => {
      mkdirSync(lock);
      const old = new Date(Date.now() - 60_000);
      utimesSync(lock, old, old);
    },
  },
];

describe('locks: 20 concurrent writers past an abandoned lock', () => {
  const { dir: root, cleanup } = tempDir();
  after(cleanup);

  test(`config set --acmedomainN: ${WRITERS} of ${WRITERS} land, ${REPETITIONS} times`, async () => {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const stale = STALE_LOCKS[rep % STALE_LOCKS.length]!;
      const dir = join(root, `node-${rep}`);
      mkdirSync(dir);
      stale.make(join(dir, 'node.cfg.lock'));
      const results = await Promise.all(
        Array.from({ length: WRITERS }, (_, i) => runCli(['config', 'set', `--acmedomain${i}`, `n${i}.example.com`], { configDir: dir, timeoutMs: 60_000 })),
      );
      results.forEach((r, i) => assert.deepEqual(r, { code: 0, stdout: '', stderr: '' }, `${stale.name}: writer ${i}`));
      const lines = readFileSync(join(dir, 'node.cfg'), 'utf8').trim().split('\n').sort();
      const expected = Array.from({ length: WRITERS }, (_, i) => `acmedomain${i}: n${i}.example.com`).sort();
      assert.deepEqual(lines, expected, stale.name);
      assert.equal(existsSync(join(dir, 'node.cfg.lock')), false, `${stale.name}: lock released`);
      rmSync(dir, { recursive: true });
    }
  });

  test(`acme plugin add: ${WRITERS} of ${WRITERS} land, ${REPETITIONS} times`, async () => {
    for (let rep = 0; rep < REPETITIONS; rep++) {
      const stale = STALE_LOCKS[(rep + 2) % STALE_LOCKS.length]!;
      const dir = join(root, `plugins-${rep}`);
      mkdirSync(join(dir, 'acme'), { recursive: true, mode: 0o700 });
      stale.make(join(dir, 'acme', 'plugins.cfg.lock'));
      const results = await Promise.all(
        Array.from({ length: WRITERS }, (_, i) => runCli(['acme', 'plugin', 'add', 'standalone', `p${i}`, '--port', String(8000 + i)], { configDir: dir, timeoutMs: 60_000 })),
      );
      results.forEach((r, i) => assert.deepEqual(r, { code: 0, stdout: '', stderr: '' }, `${stale.name}: writer ${i}`));
      const ids = [...readFileSync(join(dir, 'acme', 'plugins.cfg'), 'utf8').matchAll(/^standalone: (\S+)$/gm)].map((m) => m[1]).filter((id) => id !== 'standalone').sort();
      assert.deepEqual(ids, Array.from({ length: WRITERS }, (_, i) => `p${i}`).sort(), stale.name);
      assert.equal(existsSync(join(dir, 'acme', 'plugins.cfg.lock')), false, `${stale.name}: lock released`);
      rmSync(dir, { recursive: true });
    }
  });
});

// A writer SIGKILLed between its mkdir of the lock and publishing its owner (strace kills it at the
// link() that publishes `owner`) leaves an owner-less lock directory. The next writer waits
// EMPTY_CLAIM_MS for it (a live writer is in that state for two system calls), not the stale age.
describe('locks: a writer killed between mkdir and naming itself', () => {
  const { dir: root, cleanup } = tempDir();
  after(cleanup);

  /** Run certnode under strace, killed when it publishes the owner of `lock`. */
  function killAtOwner(lock: string, args: string[], env: Record<string, string>): void {
    const killed = spawnSync('strace', ['-o', '/dev/null', '-P', join(lock, 'owner'), '-e', 'trace=link', '-e', 'inject=link:signal=SIGKILL:when=1', process.execPath, BIN, ...args], {
      env: baseEnv(env),
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.ok(killed.signal === 'SIGKILL' || killed.status === 128 + 9, `killed (${killed.signal ?? killed.status}) ${killed.stderr}`);
    // mkdir done, its owner line written to a temp file, not published
    assert.equal(statSync(lock).isDirectory(), true);
    assert.deepEqual(readdirSync(lock).filter((f) => !/^\.owner-\d+-[0-9a-f]+$/.test(f)), []);
  }

  test('config set killed at the owner link: the next config set lands', async () => {
    const dir = join(root, 'cfg');
    mkdirSync(dir);
    killAtOwner(join(dir, 'node.cfg.lock'), ['config', 'set', '--acmedomain0', 'a.example.com'], { CERTNODE_CONFIG_DIR: dir });
    assert.equal(existsSync(join(dir, 'node.cfg')), false);
    const r = await runCli(['config', 'set', '--acmedomain1', 'b.example.com'], { configDir: dir });
    assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), 'acmedomain1: b.example.com\n');
    assert.deepEqual(readdirSync(dir), ['node.cfg']);
  });

  test('an order killed at its task lock: refused for a moment (naming why), then the next order runs', async () => {
    const dir = join(root, 'order');
    mkdirSync(join(dir, 'acme', 'accounts'), { recursive: true });
    // a CA nobody listens at: an order that gets past the task lock fails fetching its directory
    const ca = `http://127.0.0.1:${await freePort()}/dir`;
    const key = spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'acme', 'accounts', 'default'), JSON.stringify({ account: { status: 'valid', contact: ['mailto:a@example.com'] }, directory: ca, key, location: `${ca}/acct/1` }), { mode: 0o600 });
    writeFileSync(join(root, 'cf-data'), 'CF_Token=x\n');
    for (const args of [['acme', 'plugin', 'add', 'dns', 'tst', '--api', 'cf', '--data', join(root, 'cf-data')], ['config', 'set', '--acmedomain0', 'a.example.com,plugin=tst']]) {
      const r = await runCli(args, { configDir: dir });
      assert.equal(r.code, 0, r.stderr);
    }
    const lock = join(dir, 'certs', 'acme-task.lock');
    killAtOwner(lock, ['acme', 'cert', 'order'], { CERTNODE_CONFIG_DIR: dir });
    // an order never waits for the task lock: at once, it is held by the unnamed writer
    const refused = await runCli(['acme', 'cert', 'order'], { configDir: dir });
    assert.equal(refused.code, 255);
    assert.match(
      refused.stderr,
      new RegExp(`^Task ERROR: another certnode order, renewal or revocation is running \\(lock '${lock}', held by a process that has not named itself yet \\(no owner in the lock directory for \\d+ s; taken over after ${EMPTY_CLAIM_MS / 1000} s\\)\\)\\n$`),
    );
    // the stale age (20 s) is far off; the owner-less directory is claimed after EMPTY_CLAIM_MS
    assert.ok(EMPTY_CLAIM_MS + 1000 < LOCK_STALE_MS);
    await new Promise((r) => setTimeout(r, EMPTY_CLAIM_MS + 1000));
    const ran = await runCli(['acme', 'cert', 'order'], { configDir: dir });
    assert.equal(ran.code, 255);
    assert.equal(ran.stderr, `Task ERROR: unable to fetch ACME directory '${ca}' - connect ECONNREFUSED ${new URL(ca).host}\n`);
    assert.equal(existsSync(lock), false);
  });
});

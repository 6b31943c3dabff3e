// Locks under contention: 20 writers at once, with an abandoned lock of every kind in the way.
// Every update lands, every writer exits 0, and the lock is gone afterwards.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';

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

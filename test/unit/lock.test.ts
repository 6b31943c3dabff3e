// Locks shared by several hosts: who the owner is, when its PID may be asked (only in the same
// PID space: same kernel boot and PID namespace, whatever the host name), and lock directories
// left without an owner by a kill between mkdir and publishing it.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EMPTY_CLAIM_MS, LOCK_STALE_MS, withLock } from '../../src/core/store/lock.ts';
import { tempDir } from '../helpers/cli.ts';

const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const pidns = /^pid:\[(\d+)\]$/.exec(readlinkSync('/proc/self/ns/pid'))![1]!;
const SPACE = `${bootId}/${pidns}`;

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]!;
}

/** A PID that was in use a moment ago and is not now. */
function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
}

function lockWithOwner(file: string, owner: string, ageMs = 0): string {
  const lock = `${file}.lock`;
  mkdirSync(lock);
  writeFileSync(join(lock, 'owner'), owner);
  const t = new Date(Date.now() - ageMs);
  utimesSync(join(lock, 'owner'), t, t);
  utimesSync(lock, t, t);
  return lock;
}

async function inTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  try {
    await fn(dir);
  } finally {
    cleanup();
  }
}

const now0 = { timeoutMs: 0, dirMode: 0o700 };

test('the owner names host, pid, time, PID space and start time; released locks leave nothing', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    await withLock(file, now0, () => {
      assert.deepEqual(readdirSync(`${file}.lock`), ['owner']);
      const owner = readFileSync(join(`${file}.lock`, 'owner'), 'utf8');
      assert.match(owner, new RegExp(`^${hostname()} ${process.pid} \\d+ space=${SPACE} start=${startTime(process.pid)}\\n$`));
    });
    assert.deepEqual(readdirSync(dir), []);
  }));

test('an owner in this PID space that is gone is taken over at once, whatever its host name (unshare -u nodes)', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    lockWithOwner(file, `n2 ${deadPid()} 1700000000 space=${SPACE} start=12345\n`);
    assert.equal(await withLock(file, now0, () => 'taken'), 'taken');
  }));

test('a reused PID (same PID space, another start time) is no longer the owner', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    lockWithOwner(file, `${hostname()} 1 1700000000 space=${SPACE} start=${Number(startTime(1)) + 1}\n`);
    assert.equal(await withLock(file, now0, () => 'taken'), 'taken');
  }));

test('a live owner in this PID space holds the lock; the message names host, pid and time', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    const live = spawn('sleep', ['60']);
    try {
      await new Promise((r) => live.once('spawn', r));
      lockWithOwner(file, `n3 ${live.pid} 1700000000 space=${SPACE} start=${startTime(live.pid!)}\n`);
      await assert.rejects(withLock(file, now0, () => 1), {
        message: `can't lock file '${file}.lock' - got timeout (held by n3 pid ${live.pid} since 2023-11-14T22:13:20.000Z, last refreshed 0 s ago)`,
      });
    } finally {
      live.kill();
    }
  }));

test('the same host name in another PID space (another machine, a container): its PID is never asked', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    const otherBoot = `${bootId.slice(0, -1)}${bootId.endsWith('0') ? '1' : '0'}`;
    for (const space of [`${otherBoot}/${pidns}`, `${bootId}/${Number(pidns) + 1}`]) {
      lockWithOwner(file, `${hostname()} ${deadPid()} 1700000000 space=${space} start=1\n`);
      await assert.rejects(withLock(file, now0, () => 1), /got timeout \(held by /, space);
      // ...until it goes stale by age
      const old = new Date(Date.now() - LOCK_STALE_MS - 5000);
      utimesSync(join(`${file}.lock`, 'owner'), old, old);
      utimesSync(`${file}.lock`, old, old);
      assert.equal(await withLock(file, now0, () => 'stale'), 'stale', space);
    }
  }));

test("an older certnode's owner line (host pid since) is judged by age only", () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    lockWithOwner(file, `${hostname()} ${deadPid()} 1700000000\n`);
    await assert.rejects(withLock(file, now0, () => 1), /got timeout \(held by /);
  }));

test('a lock directory without owner (killed between mkdir and naming itself): held for a moment, then claimed in place', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    const lock = `${file}.lock`;
    mkdirSync(lock);
    // the killed writer's unpublished owner line
    writeFileSync(join(lock, '.owner-1-0a0b0c0d'), 'x 1 1\n');
    await assert.rejects(withLock(file, now0, () => 1), {
      message: `can't lock file '${lock}' - got timeout (held by a process that has not named itself yet (no owner in the lock directory for 0 s; taken over after ${EMPTY_CLAIM_MS / 1000} s))`,
    });
    const old = new Date(Date.now() - EMPTY_CLAIM_MS - 1000);
    utimesSync(lock, old, old);
    assert.equal(
      await withLock(file, now0, () => {
        // claimed: our owner was published in the old directory
        assert.match(readFileSync(join(lock, 'owner'), 'utf8'), new RegExp(`^${hostname()} ${process.pid} `));
        return 'claimed';
      }),
      'claimed',
    );
    assert.equal(existsSync(lock), false);
    assert.deepEqual(readdirSync(dir), []);
  }));

test('an owner-less lock directory older than the stale age is claimed too, never removed under a late publisher', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    const lock = `${file}.lock`;
    mkdirSync(lock);
    writeFileSync(join(lock, '.owner-2-0a0b0c0d'), `${hostname()} 2 1700000000\n`);
    const old = new Date(Date.now() - LOCK_STALE_MS - 60_000);
    utimesSync(lock, old, old);
    await withLock(file, now0, () => {
      // the killed writer, had it only been slow, now fails to publish: the lock is ours
      assert.throws(() => linkSync(join(lock, '.owner-2-0a0b0c0d'), join(lock, 'owner')), { code: 'EEXIST' });
      assert.match(readFileSync(join(lock, 'owner'), 'utf8'), new RegExp(`^${hostname()} ${process.pid} `));
    });
    assert.deepEqual(readdirSync(dir), []);
  }));

test('a takeover killed half-way (its guard left, the lock still there, both owners gone): taken over at once, nothing left', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    lockWithOwner(file, `n2 ${deadPid()} 1700000000 space=${SPACE} start=1\n`);
    mkdirSync(`${file}.lock.reclaim`);
    writeFileSync(join(`${file}.lock.reclaim`, 'owner'), `n3 ${deadPid()} 1700000000 space=${SPACE} start=1\n`);
    assert.equal(await withLock(file, now0, () => 'taken'), 'taken');
    assert.deepEqual(readdirSync(dir), []);
  }));

test('a live takeover guard is respected; a dead one without a lock is removed by the next holder', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    const live = spawn('sleep', ['60']);
    try {
      await new Promise((r) => live.once('spawn', r));
      lockWithOwner(file, `n2 ${deadPid()} 1700000000 space=${SPACE} start=1\n`);
      mkdirSync(`${file}.lock.reclaim`);
      writeFileSync(join(`${file}.lock.reclaim`, 'owner'), `n3 ${live.pid} 1700000000 space=${SPACE} start=${startTime(live.pid!)}\n`);
      // someone is taking over right now: wait for it
      await assert.rejects(withLock(file, now0, () => 1), /got timeout \(held by n2 pid /);
      live.kill();
      await new Promise((r) => live.once('exit', r));
      assert.equal(await withLock(file, now0, () => 'taken'), 'taken');
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      live.kill();
    }
  }));

test('a takeover killed before naming itself in its guard (owner-less guard, the lock dead): taken over after a moment, nothing left', () =>
  inTemp(async (dir) => {
    const file = join(dir, 'cfg');
    lockWithOwner(file, `n2 ${deadPid()} 1700000000 space=${SPACE} start=1\n`);
    mkdirSync(`${file}.lock.reclaim`);
    await assert.rejects(withLock(file, now0, () => 1), /got timeout \(held by n2 pid /);
    const old = new Date(Date.now() - EMPTY_CLAIM_MS - 1000);
    utimesSync(`${file}.lock.reclaim`, old, old);
    assert.equal(await withLock(file, now0, () => 'taken'), 'taken');
    assert.deepEqual(readdirSync(dir), []);
  }));

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pidSpaceTag } from '../../src/core/store/pid-space.ts';
import { checkDigest, sha256Hex, TEMP_MAX_AGE_MS, withLock, writeFileAtomic } from '../../src/core/store/store.ts';
import { tempDir } from '../helpers/cli.ts';

const mode = (p: string): number => statSync(p).mode & 0o777;

test('atomic write: modes are forced whatever the umask, no temp file left', () => {
  const { dir, cleanup } = tempDir();
  try {
    const old = process.umask(0o000);
    try {
      writeFileAtomic(join(dir, 'a', 'secret'), 'x', { mode: 0o600, dirMode: 0o700 });
    } finally {
      process.umask(old);
    }
    assert.equal(mode(join(dir, 'a', 'secret')), 0o600);
    assert.equal(mode(join(dir, 'a')), 0o700);
    // an existing directory with a loose mode is tightened
    writeFileAtomic(join(dir, 'a', 'secret'), 'y', { mode: 0o600, dirMode: 0o700 });
    assert.deepEqual(readdirSync(join(dir, 'a')), ['secret']);
    assert.equal(readFileSync(join(dir, 'a', 'secret'), 'utf8'), 'y');
  } finally {
    cleanup();
  }
});

test('atomic write: a failing write leaves the old file untouched', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'f');
    writeFileSync(file, 'old');
    // the target is a directory: rename must fail
    const target = join(dir, 'd');
    spawnSync('mkdir', ['-p', join(target, 'x')]);
    assert.throws(() => writeFileAtomic(target, 'new', { mode: 0o600, dirMode: 0o755 }), /unable to write/);
    assert.equal(readFileSync(file, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir).sort(), ['d', 'f']);
  } finally {
    cleanup();
  }
});

test('lock: second holder waits, times out with a clear message', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'cfg');
    await withLock(file, { timeoutMs: 1000, dirMode: 0o700 }, async () => {
      await assert.rejects(
        withLock(file, { timeoutMs: 50, dirMode: 0o700 }, () => 1),
        { message: new RegExp(`^can't lock file '${file}\\.lock' - got timeout after 0\\.\\d s \\(held by ${hostname()} pid ${process.pid} since \\S+, last refreshed 0 s ago\\)$`) },
      );
    });
    assert.equal(existsSync(`${file}.lock`), false);
  } finally {
    cleanup();
  }
});

test('lock: a lock left by a dead process is recovered', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'cfg');
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${file}.lock`, `${dead}\n`);
    assert.equal(await withLock(file, { timeoutMs: 200, dirMode: 0o700 }, () => 'got it'), 'got it');
  } finally {
    cleanup();
  }
});

test('digest: SHA-256 and pvenode SHA-1 accepted, mismatch refused', () => {
  const content = 'standalone: standalone\n\n';
  checkDigest(sha256Hex(content), content);
  checkDigest(createHash('sha1').update(content).digest('hex'), content);
  assert.throws(() => checkDigest('0'.repeat(64), content), { message: 'detected modified configuration - file changed by other user? Try again.' });
  assert.throws(() => checkDigest('0'.repeat(40), content), { message: 'detected modified configuration - file changed by other user? Try again.' });
});

test('atomic write sweeps temp files of writers that are gone or too old, and no others', () => {
  const { dir, cleanup } = tempDir();
  try {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const live = spawn('sleep', ['30']);
    try {
      const host = hostname();
      const space = pidSpaceTag()!;
      const otherSpace = space.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      const names = {
        deadHere: `.node.cfg.tmp-${host}-s${space}-${dead}-0a1b2c3d`,
        // another host name in this PID space (a node in its own UTS namespace): its pid can be asked
        deadOtherNameHere: `.node.cfg.tmp-n2-s${space}-${dead}-1a1b2c3d`,
        deadOldNamed: `.node.cfg.tmp-${host}-${dead}-0a1b2c3d`, // an older certnode's name, with host
        deadOld: `.node.cfg.tmp-${dead}-0a1b2c3d`, // an older certnode's name, no host
        liveHere: `.node.cfg.tmp-${host}-s${space}-${live.pid}-0a1b2c3d`,
        // this host's name, another PID space (another machine with the same name, a container)
        sameNameOtherSpace: `.node.cfg.tmp-${host}-s${otherSpace}-${dead}-2a1b2c3d`,
        otherHostFresh: `.node.cfg.tmp-elsewhere.example-s${otherSpace}-${dead}-0a1b2c3d`,
        otherHostOld: `.node.cfg.tmp-elsewhere.example-s${otherSpace}-${live.pid}-1a1b2c3d`,
        unrelated: '.node.cfg.swp',
      };
      for (const n of Object.values(names)) writeFileSync(join(dir, n), 'x');
      const old = new Date(Date.now() - TEMP_MAX_AGE_MS - 60_000);
      utimesSync(join(dir, names.otherHostOld), old, old);
      writeFileAtomic(join(dir, 'node.cfg'), 'new', { mode: 0o644, dirMode: 0o755 });
      assert.deepEqual(readdirSync(dir).sort(), [names.liveHere, names.sameNameOtherSpace, names.otherHostFresh, names.unrelated, 'node.cfg'].sort());
    } finally {
      live.kill();
    }
  } finally {
    cleanup();
  }
});

test('lock: a holder that keeps it past several refreshes keeps it (and another waiter sees it held)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'cfg');
    // 9 s: two mtime refreshes (every 4 s); a refresh that misjudged its own lock made this fail
    const result = await withLock(file, { dirMode: 0o700 }, async () => {
      await new Promise((r) => setTimeout(r, 9000));
      await assert.rejects(withLock(file, { timeoutMs: 0, dirMode: 0o700 }, () => 1), /^ConflictError: can't lock file .* - got timeout \(held by /);
      return 'kept';
    });
    assert.equal(result, 'kept');
    assert.equal(existsSync(`${file}.lock`), false);
  } finally {
    cleanup();
  }
});

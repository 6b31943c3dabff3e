// The store on file systems like Proxmox's pmxcfs (/etc/pve): its mode policy, and a rename
// without hard links. pmxcfs itself cannot run here, so its missing link() is a MOCK: node:test's
// mock of fs.linkSync failing with ENOSYS, as FUSE answers for an operation a file system lacks.

import assert from 'node:assert/strict';
import fs, { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { keepGroupModes, pmxcfsModes, renameNoReplace, setModePolicy, writeFileAtomic } from '../../src/core/store/store.ts';
import { tempDir } from '../helpers/cli.ts';

const mode = (file: string): number => statSync(file).mode & 0o777;

test('pmxcfs policy: files 0600 below priv/, 0640 elsewhere, whatever was asked; directory modes left alone', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'priv', 'acme'), { recursive: true, mode: 0o755 });
    setModePolicy(pmxcfsModes(dir));
    writeFileAtomic(join(dir, 'priv', 'acme', 'plugins.cfg'), 'x', { mode: 0o600, dirMode: 0o700 });
    writeFileAtomic(join(dir, 'nodes', 'n1', 'config'), 'y', { mode: 0o644, dirMode: 0o755 });
    writeFileAtomic(join(dir, 'nodes', 'n1', 'pveproxy-ssl.key'), 'z', { mode: 0o600, dirMode: 0o755 });
    assert.deepEqual([mode(join(dir, 'priv', 'acme', 'plugins.cfg')), mode(join(dir, 'nodes', 'n1', 'config')), mode(join(dir, 'nodes', 'n1', 'pveproxy-ssl.key'))], [0o600, 0o640, 0o640]);
    assert.equal(mode(join(dir, 'priv', 'acme')), 0o755, 'not chmod-ed to 0700');
  } finally {
    setModePolicy(undefined);
    cleanup();
  }
});

test('pbs policy: a replaced file keeps its group bits, never more for others than asked', () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'node.cfg');
    writeFileSync(file, 'old');
    fs.chmodSync(file, 0o640);
    setModePolicy(keepGroupModes());
    writeFileAtomic(file, 'new', { mode: 0o644, dirMode: 0o755 });
    assert.equal(mode(file), 0o640);
    fs.chmodSync(file, 0o666);
    writeFileAtomic(file, 'newer', { mode: 0o600, dirMode: 0o755 });
    assert.equal(mode(file), 0o660);
    writeFileAtomic(join(dir, 'fresh'), 'x', { mode: 0o600, dirMode: 0o755 });
    assert.equal(mode(join(dir, 'fresh')), 0o600, 'a new file gets what was asked');
  } finally {
    setModePolicy(undefined);
    cleanup();
  }
});

test('renameNoReplace without hard links (MOCK: link() fails with ENOSYS): renames, and still never replaces', () => {
  const { dir, cleanup } = tempDir();
  const link = mock.method(fs, 'linkSync', () => {
    throw Object.assign(new Error('ENOSYS: function not implemented, link'), { code: 'ENOSYS' });
  });
  syncBuiltinESMExports();
  try {
    writeFileSync(join(dir, 'default'), 'account');
    renameNoReplace(join(dir, 'default'), join(dir, '_deactivated_default_0'));
    assert.equal(readFileSync(join(dir, '_deactivated_default_0'), 'utf8'), 'account');
    assert.ok(!fs.existsSync(join(dir, 'default')));
    assert.ok(link.mock.callCount() >= 1, 'the mock was used');
    writeFileSync(join(dir, 'other'), 'other');
    assert.throws(() => renameNoReplace(join(dir, 'other'), join(dir, '_deactivated_default_0')), { message: `unable to rename '${join(dir, 'other')}' - File already exists` });
    assert.equal(readFileSync(join(dir, '_deactivated_default_0'), 'utf8'), 'account');
  } finally {
    link.mock.restore();
    syncBuiltinESMExports();
    cleanup();
  }
});

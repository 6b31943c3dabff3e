// bin/bundle-loader.cjs: the bundle's loader and its V8 code cache.
// Each test runs a private copy of bin/ and dist/bundle/, so the cache directory is its own.
// What a user would notice: the same output and exit status with a cache, without one, with a
// broken one; entries beside the bundle, renewed when the code changes; none when switched off.
// (How much time it saves is BENCHMARKS.md's business, not a test's.)

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { baseEnv, ROOT, tempDir } from '../helpers/cli.ts';
import { VERSION } from '../../src/version.ts';

/** Cache entries: `<file>-<content hash>-<length>`, e.g. main-0123456789abcdef-104876. */
const ENTRY = /^(main|acme-lib|chunk-[A-Z0-9]+)-[0-9a-f]{16}-\d+$/;

describe('code cache of the bundle', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  let copies = 0;
  /** A private install: bin/ and dist/bundle/ copied, so the cache directory is this test's. */
  const install = (): { root: string; cache: string; run: (args: string[], env?: Record<string, string>) => { code: number | null; stdout: string; stderr: string } } => {
    const root = join(dir, `install${copies++}`);
    cpSync(join(ROOT, 'bin'), join(root, 'bin'), { recursive: true });
    cpSync(join(ROOT, 'dist', 'bundle'), join(root, 'dist', 'bundle'), { recursive: true, filter: (src) => !src.includes('.compile-cache') });
    const run = (args: string[], env: Record<string, string> = {}) => {
      const r = spawnSync(process.execPath, [join(root, 'bin', 'certnode.js'), ...args], { env: { ...baseEnv(), CERTNODE_CONFIG_DIR: join(dir, 'etc'), ...env }, encoding: 'utf8', timeout: 60_000 });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    return { root, cache: join(root, 'dist', 'bundle', '.compile-cache'), run };
  };
  const entries = (cache: string): string[] => (existsSync(cache) ? readdirSync(cache).sort() : []);

  test('the first run writes entries beside the bundle; the next runs use them and print the same', () => {
    const { cache, run } = install();
    assert.deepEqual(entries(cache), []);
    const first = run(['--help']);
    assert.equal(first.code, 0, first.stderr);
    const written = entries(cache);
    assert.ok(written.some((e) => e.startsWith('main-') && ENTRY.test(e)), written.join(' '));
    assert.ok(written.every((e) => ENTRY.test(e)), `only entries, no temporary files: ${written.join(' ')}`);
    const mtimes = written.map((e) => statSync(join(cache, e)).mtimeMs);
    const second = run(['--help']);
    assert.deepEqual(second, first);
    assert.deepEqual(entries(cache), written);
    assert.deepEqual(
      written.map((e) => statSync(join(cache, e)).mtimeMs),
      mtimes,
      'entries V8 accepted are not rewritten',
    );
    // a command that loads chunks of their own (files beside main.cjs) adds their entries
    const list = run(['acme', 'plugin', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(entries(cache).length > written.length);
    assert.ok(entries(cache).every((e) => ENTRY.test(e)));
  });

  test('CERTNODE_COMPILE_CACHE_TRAIN=1 (what the build runs) rewrites accepted entries to hold what each run compiled on top', () => {
    const { cache, run } = install();
    assert.equal(run(['--version']).code, 0);
    const main = entries(cache).find((e) => e.startsWith('main-'))!;
    const small = statSync(join(cache, main));
    // without the switch a run that compiles more (help text, tables) leaves the accepted entry alone
    assert.equal(run(['--help']).code, 0);
    assert.equal(statSync(join(cache, main)).ino, small.ino);
    const trained = run(['--help'], { CERTNODE_COMPILE_CACHE_TRAIN: '1' });
    assert.equal(trained.code, 0, trained.stderr);
    assert.deepEqual(entries(cache).filter((e) => e.startsWith('main-')), [main], 'the same entry, rewritten');
    const grown = statSync(join(cache, main));
    assert.notEqual(grown.ino, small.ino);
    assert.ok(grown.size > small.size, `${grown.size} > ${small.size}: --version's functions and --help's`);
    assert.equal(grown.mode & 0o777, 0o644);
    // still an entry V8 takes: the same output from it, and not rewritten
    assert.deepEqual(run(['--help']), trained);
    assert.equal(statSync(join(cache, main)).ino, grown.ino);
  });

  test('a broken entry is refused by V8: same output, and the entry is written anew', () => {
    const { cache, run } = install();
    const clean = run(['--help']);
    const main = entries(cache).find((e) => e.startsWith('main-'))!;
    writeFileSync(join(cache, main), 'not a code cache');
    const again = run(['--help']);
    assert.deepEqual(again, clean);
    assert.notEqual(readFileSync(join(cache, main), 'utf8'), 'not a code cache');
  });

  test('a rebuilt file gets a new entry and the old one goes, with those of removed chunks and an older layout', () => {
    const { root, cache, run } = install();
    run(['--version']);
    const before = entries(cache).find((e) => e.startsWith('main-'))!;
    // a rebuild: other content, so another hash in the header line (same length on purpose:
    // V8 itself tells sources apart by length only)
    const mainFile = join(root, 'dist', 'bundle', 'main.cjs');
    const text = readFileSync(mainFile, 'utf8');
    const rebuilt = text.replace(/^\/\/certnode-bundle ([0-9a-f]{16})\n/, (_, hash: string) => `//certnode-bundle ${hash.startsWith('0') ? `1${hash.slice(1)}` : `0${hash.slice(1)}`}\n`);
    assert.notEqual(rebuilt, text);
    writeFileSync(mainFile, rebuilt);
    // left-overs: a chunk a rebuild removed, the per-file entries of an older certnode
    writeFileSync(join(cache, 'chunk-GONE0000-0123456789abcdef-100'), 'stale');
    writeFileSync(join(cache, 'main.cjs-64523-1795872671366'), 'old layout');
    const r = run(['--version']);
    assert.deepEqual(r, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const mains = entries(cache).filter((e) => e.startsWith('main'));
    assert.equal(mains.length, 1, mains.join(' '));
    assert.notEqual(mains[0], before);
    assert.ok(ENTRY.test(mains[0]!));
    assert.deepEqual(entries(cache).filter((e) => e.startsWith('chunk-GONE')), []);
  });

  test('NODE_DISABLE_COMPILE_CACHE=1 writes nothing; an unwritable bundle directory fails nothing', () => {
    const { cache, run } = install();
    const off = run(['--version'], { NODE_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(off.code, 0, off.stderr);
    assert.deepEqual(entries(cache), []);
    // the cache path taken by a file: nothing can be written, the command still works
    writeFileSync(cache, '');
    const blocked = run(['--version']);
    assert.deepEqual(blocked, { code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  test('a cache others could have written is not used (umask 000, another owner, a symbolic link): same output, nothing read or written', () => {
    const { cache, run } = install();
    const clean = run(['--help']);
    const main = entries(cache).find((e) => e.startsWith('main-'))!;
    // a "planted" entry: if it were handed to V8 it would be refused and rewritten (test above);
    // untrusted, it is neither read nor replaced
    const planted = 'planted by another user';
    for (const make of [
      () => chmodSync(cache, 0o777),
      () => chmodSync(join(cache, main), 0o666),
      () => chownSync(join(cache, main), 65534, 65534),
      // a symbolic link (to a file someone else may control): not followed
      () => {
        writeFileSync(join(cache, '..', 'elsewhere'), planted);
        rmSync(join(cache, main));
        symlinkSync(join(cache, '..', 'elsewhere'), join(cache, main));
      },
    ]) {
      rmSync(join(cache, main), { force: true });
      writeFileSync(join(cache, main), planted);
      chmodSync(cache, 0o755);
      chmodSync(join(cache, main), 0o644);
      chownSync(join(cache, main), 0, 0);
      make();
      const r = run(['--help']);
      assert.deepEqual(r, clean);
      assert.equal(readFileSync(join(cache, main), 'utf8'), planted, 'the untrusted entry is left alone');
    }
    assert.ok(lstatSync(join(cache, main)).isSymbolicLink(), 'the link is left as it was');
    rmSync(join(cache, main));
    writeFileSync(join(cache, main), planted);
    // trusted again: used (refused by V8 as garbage) and written anew, 0644 whatever the umask
    chmodSync(cache, 0o755);
    chmodSync(join(cache, main), 0o644);
    chownSync(join(cache, main), 0, 0);
    const r = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, join(cache, '..', '..', '..', 'bin', 'certnode.js'), '--help'], { env: { ...baseEnv(), CERTNODE_CONFIG_DIR: join(dir, 'etc') }, encoding: 'utf8' });
    assert.equal(r.stdout, clean.stdout);
    assert.notEqual(readFileSync(join(cache, main), 'utf8'), planted);
    assert.equal(statSync(join(cache, main)).mode & 0o777, 0o644);
  });

  test('made under umask 000, the cache directory is still 0755', () => {
    const { root, cache } = install();
    const r = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$@"', process.execPath, join(root, 'bin', 'certnode.js'), '--version'], { env: { ...baseEnv(), CERTNODE_CONFIG_DIR: join(dir, 'etc') }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(cache).mode & 0o777, 0o755);
    for (const e of entries(cache)) assert.equal(statSync(join(cache, e)).mode & 0o777, 0o644, e);
  });
});

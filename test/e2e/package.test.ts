// The package as a user installs it: npm pack, npm install -g of the tarball into a temporary
// prefix, then the installed certnode and its man page. (The tarball is packed from the built
// tree with --ignore-scripts: npm test has just built it, and a second build here would rewrite
// dist/ under the tests running beside this one.)

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT, tempDir } from '../helpers/cli.ts';

const { dir, cleanup } = tempDir('certnode-pack-');
after(cleanup);

function run(command: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd: opts.cwd ?? dir, encoding: 'utf8', timeout: 240_000, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('npm pack + npm install -g: a working certnode, man certnode, LICENSE, no source maps', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; scripts: Record<string, string>; man: string[]; license: string };
  assert.equal(pkg.scripts.prepare, undefined, 'no prepare script: npm would run (and warn about) it on every install');
  assert.match(pkg.scripts.prepack ?? '', /build/);

  const pack = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const files = info!.files.map((f) => f.path);
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), [], 'no source maps without their sources');
  for (const needed of ['LICENSE', 'README.md', 'bin/certnode.js', 'dist/bundle/main.cjs', 'dist/bundle/acme-lib.cjs', 'man/certnode.1', 'share/completion/certnode.bash', 'share/systemd/certnode-renew.timer', 'share/dnsapi-shim.sh']) {
    assert.ok(files.includes(needed), `${needed} is in the tarball`);
  }
  assert.deepEqual(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/') || f.startsWith('src/')), []);

  const prefix = join(dir, 'prefix');
  const install = run('npm', ['install', '-g', join(dir, info!.filename), '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund']);
  assert.equal(install.status, 0, install.stderr);
  assert.doesNotMatch(install.stdout + install.stderr, /prepare/i);

  const version = run(join(prefix, 'bin', 'certnode'), ['--version']);
  assert.deepEqual(version, { status: 0, stdout: `${pkg.version}\n`, stderr: '' });
  const help = run(join(prefix, 'bin', 'certnode'), ['acme', 'directories', '--output-format', 'json']);
  assert.equal(help.status, 0, help.stderr);

  assert.ok(existsSync(join(prefix, 'share', 'man', 'man1', 'certnode.1')), 'npm links the man page (package.json "man")');
  const man = run('man', ['-M', join(prefix, 'share', 'man'), 'certnode'], { env: { MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80', LANG: 'C.UTF-8' } });
  assert.equal(man.status, 0, man.stderr);
  assert.match(man.stdout, /^CERTNODE\(1\) +User Commands +CERTNODE\(1\)$/m);
  assert.match(man.stdout, /^EXIT STATUS$/m);
  assert.equal(man.stderr, '', 'man renders without troff warnings');
});

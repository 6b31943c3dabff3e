// config set/get for the certificate settings: acme keytype, cert-file, cert-key-file, reload-command.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../../helpers/cli.ts';

const USAGE = 'USAGE: certnode config set [OPTIONS]\n';

test('config set --acme keytype=...: stored, shown, validated', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const ok = await runCli(['config', 'set', '--acme', 'account=main,keytype=ec-384'], { configDir: dir });
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout, '');
  assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), 'acme: account=main,keytype=ec-384\n');
  const get = await runCli(['config', 'get', '--property', 'acme'], { configDir: dir });
  assert.equal(get.stdout, 'acme: account=main,keytype=ec-384\n');

  const bad = await runCli(['config', 'set', '--acme', 'keytype=ec-521'], { configDir: dir });
  assert.equal(bad.code, 255);
  assert.equal(bad.stderr, `ERROR: acme: keytype: value 'ec-521' does not have a value in the enumeration 'ec-256, ec-384, rsa-2048, rsa-3072, rsa-4096'\n${USAGE}`);
  assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), 'acme: account=main,keytype=ec-384\n');
});

test('config set --cert-file/--cert-key-file/--reload-command: absolute paths, distinct files', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const rel = await runCli(['config', 'set', '--cert-file', 'relative/path'], { configDir: dir });
  assert.equal(rel.code, 255);
  assert.equal(rel.stderr, `ERROR: cert-file: value 'relative/path' is not an absolute path\n${USAGE}`);
  const relKey = await runCli(['config', 'set', '--cert-key-file', 'x.key'], { configDir: dir });
  assert.equal(relKey.stderr, `ERROR: cert-key-file: value 'x.key' is not an absolute path\n${USAGE}`);
  const same = await runCli(['config', 'set', '--cert-file', '/etc/x.pem', '--cert-key-file', '/etc/x.pem'], { configDir: dir });
  assert.equal(same.code, 255);
  assert.equal(same.stderr, "ERROR: cert-key-file: value '/etc/x.pem' is also the cert-file; the key needs a file of its own\nUSAGE: certnode config set [OPTIONS]\n");
  const empty = await runCli(['config', 'set', '--reload-command', ' '], { configDir: dir });
  assert.equal(empty.code, 255);
  assert.equal(existsSync(join(dir, 'node.cfg')), false);

  const ok = await runCli(
    ['config', 'set', '--cert-file', '/etc/ssl/certs/host.pem', '--cert-key-file', '/etc/ssl/private/host.key', '--reload-command', 'systemctl reload nginx'],
    { configDir: dir },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(
    readFileSync(join(dir, 'node.cfg'), 'utf8'),
    'cert-file: /etc/ssl/certs/host.pem\ncert-key-file: /etc/ssl/private/host.key\nreload-command: systemctl reload nginx\n',
  );
  const get = await runCli(['config', 'get', '--property', 'reload-command'], { configDir: dir });
  assert.equal(get.stdout, 'reload-command: systemctl reload nginx\n');
  const del = await runCli(['config', 'set', '--delete', 'reload-command,cert-file'], { configDir: dir });
  assert.equal(del.code, 0, del.stderr);
  assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), 'cert-key-file: /etc/ssl/private/host.key\n');
});

test('config set --help documents the certificate settings', async () => {
  const r = await runCli(['config', 'set', '--help']);
  assert.equal(r.code, 0);
  for (const text of ['--cert-file <path>', '--cert-key-file <path>', '--reload-command <command>', 'keytype=<ec-256|ec-384|rsa-2048|rsa-3072|rsa-4096>', 'profile=<name>']) {
    assert.ok(r.stdout.includes(text), text);
  }
});

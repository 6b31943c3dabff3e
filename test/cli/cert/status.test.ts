// cert info says what is missing in one line; the unattended node settings through config set;
// renew --check/--dry-run flag combinations (the built binary, no CA needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { opensslCert } from '../../helpers/certs.ts';
import { runCli, tempDir } from '../../helpers/cli.ts';

test('cert info: a config dir that does not exist is an error line; no certificate is one line (json: [])', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const missing = join(dir, 'nonexistent');
  const none = await runCli(['--config-dir', missing, 'cert', 'info']);
  assert.equal(none.code, 255);
  assert.equal(none.stdout, '');
  assert.equal(none.stderr, `ERROR: configuration directory '${missing}' does not exist (see --config-dir, CERTNODE_CONFIG_DIR)\n`);
  assert.equal(existsSync(missing), false, 'cert info creates nothing');

  const empty = await runCli(['cert', 'info'], { configDir: dir });
  assert.equal(empty.code, 0, empty.stderr);
  assert.equal(
    empty.stdout,
    `No certificate installed: '${join(dir, 'certs', 'certnode.pem')}' does not exist ('certnode cert update' creates a self-signed one, 'certnode acme cert order' an ACME one).\n`,
  );
  const json = await runCli(['cert', 'info', '--output-format', 'json'], { configDir: dir });
  assert.equal(json.stdout, '[]\n');
});

test('cert info: the self-signed default is installed, source self-signed, days left; no renewal date (not renewed by ACME)', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  assert.equal((await runCli(['cert', 'update'], { configDir: dir })).code, 0);
  const [info] = JSON.parse((await runCli(['cert', 'info', '--output-format', 'json'], { configDir: dir })).stdout) as Record<string, unknown>[];
  assert.equal(info!.role, 'installed');
  assert.equal(info!.source, 'self-signed');
  assert.equal(info!['days-left'], Math.floor(((info!.notafter as number) * 1000 - Date.now()) / 86_400_000));
  assert.equal(info!['renewal-due'], undefined);
});

test('config set: notify-command, notify-mailto, notify-on, metrics-file stored and checked', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const ok = await runCli(
    ['config', 'set', '--notify-command', 'logger -t certnode "$CERTNODE_EVENT"', '--notify-mailto', 'root@example.com ops@example.com', '--notify-on', 'failures,renewed', '--metrics-file', '/var/lib/prometheus/node-exporter/certnode.prom'],
    { configDir: dir },
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(
    readFileSync(join(dir, 'node.cfg'), 'utf8'),
    'metrics-file: /var/lib/prometheus/node-exporter/certnode.prom\nnotify-command: logger -t certnode "$CERTNODE_EVENT"\nnotify-mailto: root@example.com ops@example.com\nnotify-on: failures,renewed\n',
  );
  const bad = await runCli(['config', 'set', '--notify-mailto', 'root'], { configDir: dir });
  assert.equal(bad.code, 255);
  assert.equal(bad.stderr, "ERROR: notify-mailto: invalid mail address 'root'\nUSAGE: certnode config set [OPTIONS]\n");
  const prom = await runCli(['config', 'set', '--metrics-file', '/tmp/certnode.txt'], { configDir: dir });
  assert.equal(prom.stderr, "ERROR: metrics-file: value '/tmp/certnode.txt' does not end in '.prom' (node_exporter's textfile collector reads only those)\nUSAGE: certnode config set [OPTIONS]\n");
});

test('renew --check and --dry-run exclude each other', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const r = await runCli(['acme', 'cert', 'renew', '--check', '--dry-run'], { configDir: dir });
  assert.equal(r.code, 255);
  assert.equal(r.stderr, "ERROR: check: '--check' and '--dry-run' exclude each other (--check never contacts the CA's order endpoints)\nUSAGE: certnode acme cert renew [OPTIONS]\n");
});

test('cert info: an ACME certificate with a known ARI window shows it, and the window makes renewal due earlier', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const made = opensslCert(dir, 'acme', { days: 90 });
  assert.equal((await runCli(['cert', 'set', made.certFile, made.keyFile], { configDir: dir })).code, 0);
  // the install state as an ACME order and one ARI answer leave it (the window inside the lifetime's first two thirds)
  const x = new X509Certificate(made.cert);
  const notBefore = Math.floor(new Date(x.validFrom).getTime() / 1000);
  const ari = { start: notBefore + 30 * 86_400, end: notBefore + 32 * 86_400, renewAt: notBefore + 31 * 86_400, nextCheck: notBefore + 86_400 };
  const stateFile = join(dir, 'certs', 'certnode.json');
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(stateFile, JSON.stringify({ ...state, source: 'acme', acme: { directory: 'https://ca.invalid/dir', renewalInfo: 'https://ca.invalid/ari', ari } }));
  const [info] = JSON.parse((await runCli(['cert', 'info', '--output-format', 'json'], { configDir: dir })).stdout) as Record<string, unknown>[];
  assert.equal(info!.source, 'acme');
  assert.equal(info!['renewal-due'], ari.renewAt);
  assert.equal(info!['renewal-reason'], 'ari');
  assert.deepEqual([info!['ari-window-start'], info!['ari-window-end'], info!['ari-next-check']], [ari.start, ari.end, ari.nextCheck]);
  const text = (await runCli(['cert', 'info', '--noborder'], { configDir: dir })).stdout;
  assert.match(text, /^ari-window-start \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/m);
  assert.match(text, /^renewal-reason {3}ari$/m);
});

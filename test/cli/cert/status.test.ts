// cert info says what is missing in one line; the unattended node settings through config set;
// renew --check/--dry-run flag combinations (the built binary, no CA needed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
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

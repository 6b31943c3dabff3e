// The Pebble harness must not depend on the test's event loop: its servers log to files. With
// pipes, a test that blocked its loop (spawnSync of the CLI) stalled Pebble once its log filled
// the socket buffer (~280 lines, an order of ~30 names): Pebble's log write blocked, every
// goroutine waited on Go's log mutex, challenge POSTs hung for certnode's 30 s request timeout.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BIN, baseEnv, runCli } from '../helpers/cli.ts';
import { DEFAULT_PROFILES, ensurePebble, findPebble, PEBBLE_MIN_VERSION, pebbleFixture, versionAtLeast } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const N = 60;
let dir: string;

before(async () => {
  await fixture.start();
  dir = mkdtempSync(join(tmpdir(), 'certnode-harness-'));
});
after(async () => {
  await fixture.stop();
  rmSync(dir, { recursive: true, force: true });
});

test(`an order of ${N} names completes while the test's event loop is blocked (spawnSync)`, fixture.withLogs(async () => {
  const pebble = fixture.get();
  const opts = { configDir: dir, env: pebble.env, timeoutMs: 20_000 };
  assert.equal((await runCli(['acme', 'account', 'register', 'default', 'h@example.com', '--directory', pebble.directoryUrl, '--agree-tos'], opts)).code, 0);
  assert.equal((await runCli(['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1'], opts)).code, 0);
  const names = Array.from({ length: N }, (_, i) => `n${i}.harness.test`);
  assert.equal((await runCli(['config', 'set', '--acme', `domains=${names.join(';')}`], opts)).code, 0);
  const before = await pebble.requestCount();

  const r = spawnSync(process.execPath, [BIN, 'acme', 'cert', 'order'], {
    env: baseEnv({ ...pebble.env, CERTNODE_CONFIG_DIR: dir }),
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  for (const name of names) assert.ok(r.stdout.includes(`domain '${name}' OK!`) || r.stderr.includes(`domain '${name}' OK!`), name);
  // one challenge POST and one authorization GET per name at least
  assert.ok((await pebble.requestCount()) - before >= 2 * N);
}));

test('the test bed is Pebble >= 2.10 from Debian: its directory offers ARI, key rollover and the configured profiles; it refuses a request without User-Agent', fixture.withLogs(async () => {
  const pebble = fixture.get();
  const found = findPebble();
  assert.ok(found, 'Pebble found');
  assert.ok(versionAtLeast(found.version, PEBBLE_MIN_VERSION), found.version);
  assert.match(found.version, /^\d+\.\d+\.\d+\+ds\d*-\d+/, 'a Debian package version');
  const get = (headers: Record<string, string>) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      https
        .get(pebble.directoryUrl, { ca: readFileSync(pebble.caFile), agent: false, headers }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        })
        .on('error', reject);
    });
  const dir = await get({ 'User-Agent': 'certnode-test' });
  assert.equal(dir.status, 200);
  const directory = JSON.parse(dir.body) as { renewalInfo?: string; keyChange?: string; meta?: { profiles?: Record<string, string> } };
  assert.match(directory.renewalInfo ?? '', /^https:\/\/127\.0\.0\.1:\d+\//);
  assert.match(directory.keyChange ?? '', /^https:\/\/127\.0\.0\.1:\d+\//);
  assert.deepEqual(Object.keys(directory.meta?.profiles ?? {}), Object.keys(DEFAULT_PROFILES));
  const anonymous = await get({});
  assert.equal(anonymous.status, 400);
  assert.match(anonymous.body, /User-Agent/);
}));

test('the prerequisite step is idempotent: with Pebble in place it runs no apt at all', () => {
  const fake = mkdtempSync(join(tmpdir(), 'certnode-fake-apt-'));
  const marker = join(fake, 'called');
  for (const tool of ['apt-get', 'apt-cache', 'dpkg-deb']) {
    writeFileSync(join(fake, tool), `#!/bin/sh\necho "${tool} $*" >> '${marker}'\nexit 1\n`);
    chmodSync(join(fake, tool), 0o755);
  }
  const path = process.env.PATH;
  process.env.PATH = `${fake}:${path ?? '/usr/bin:/bin'}`;
  const lines: string[] = [];
  try {
    const result = ensurePebble({ log: (line) => lines.push(line) });
    assert.deepEqual(result.ok && { installed: result.installed, version: result.version }, { installed: false, version: findPebble()!.version });
  } finally {
    process.env.PATH = path;
  }
  assert.equal(existsSync(marker), false, existsSync(marker) ? readFileSync(marker, 'utf8') : '');
  assert.deepEqual(lines, [], 'nothing to say');
  rmSync(fake, { recursive: true, force: true });
});

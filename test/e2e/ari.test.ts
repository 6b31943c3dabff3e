// ARI (RFC 9773) and ACME profiles against a real Pebble behind test/helpers/mock-ari-proxy.ts
// (Pebble 2.4.0 offers neither; the MOCK proxy adds renewalInfo and meta.profiles).

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { certId } from '../../src/core/acme/ari.ts';
import { baseEnv, runCli, snapshot, tempDir, type RunResult } from '../helpers/cli.ts';
import { runProbed } from '../helpers/probe.ts';
import { startMockAriProxy, type MockAriProxy } from '../helpers/mock-ari-proxy.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void)[] = [];
let proxy: MockAriProxy;
before(async () => {
  await fixture.start();
  proxy = await startMockAriProxy(fixture.get());
});
after(async () => {
  await proxy?.stop();
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

let counter = 0;
function freshName(): string {
  counter++;
  return `ari${counter}.example.test`;
}

interface Node {
  dir: string;
  certFile: string;
  run: (args: string[], extraEnv?: Record<string, string>) => Promise<RunResult>;
}

async function node(acmeExtra = ''): Promise<Node> {
  const pebble = fixture.get();
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const run = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { configDir: dir, env: { ...pebble.env, ...extraEnv }, timeoutMs: 60_000 });
  for (const step of [
    ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', proxy.directoryUrl, '--agree-tos'],
    ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1'],
    ['config', 'set', '--acme', `domains=${freshName()}${acmeExtra}`],
  ]) {
    const r = await run(step);
    assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
  }
  return { dir, run, certFile: join(dir, 'certs', 'certnode.pem') };
}

async function ordered(acmeExtra = ''): Promise<Node & { id: string }> {
  const n = await node(acmeExtra);
  const r = await n.run(['acme', 'cert', 'order']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const id = certId(new X509Certificate(readFileSync(n.certFile)).raw);
  assert.ok(id);
  return { ...n, id };
}

const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();
const DAY = 86_400_000;

describe('ARI: acme cert renew asks the CA when to renew', () => {
  test(
    'a window in the past renews a certificate the lifetime rule would keep, and the order replaces it',
    fixture.withLogs(async () => {
      const n = await ordered();
      assert.equal(proxy.newOrders.at(-1)!.replaces, undefined, 'a first order replaces nothing');
      proxy.renewalInfo.set(n.id, { suggestedWindow: { start: iso(-2 * DAY), end: iso(-DAY) }, explanationURL: 'https://ca.example/why', retryAfter: 3600 });
      const oldChain = readFileSync(n.certFile, 'utf8');
      const r = await n.run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Renewing early: the CA suggests it \(ARI window from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\nThe CA explains its renewal window at https:\/\/ca\.example\/why\nLoading ACME account details\n/);
      assert.match(r.stdout, /Task OK\n$/);
      assert.notEqual(readFileSync(n.certFile, 'utf8'), oldChain);
      assert.deepEqual(proxy.renewalInfoRequests.filter((id) => id === n.id), [n.id]);
      assert.equal(proxy.newOrders.at(-1)!.replaces, n.id);
    }),
  );

  test(
    'a window in the future: not due, says why, no ACME library loaded; a second run within Retry-After asks nothing',
    fixture.withLogs(async () => {
      const n = await ordered();
      proxy.renewalInfo.set(n.id, { suggestedWindow: { start: iso(20 * DAY), end: iso(22 * DAY) }, retryAfter: 3600 });
      const before = snapshot(join(n.dir, 'certs'));
      const first = await runProbed(['acme', 'cert', 'renew'], { ...baseEnv(fixture.get().env), CERTNODE_CONFIG_DIR: n.dir });
      assert.equal(first.status, 0, first.stderr);
      const notDue = /^Certificate does not expire within the next \d+ days, not renewing \(due for renewal from (\S+ \S+); ARI window from (\S+ \S+) to (\S+ \S+)\)\.\n$/;
      const m = notDue.exec(first.stdout);
      assert.ok(m, first.stdout);
      assert.ok(m[1]! >= m[2]! && m[1]! <= m[3]!, `the instant picked is inside the window: ${first.stdout}`);
      assert.ok(first.sources.some((f) => f.includes('node_modules/commander/')), 'the probe sees commander (control)');
      assert.deepEqual(first.sources.filter((f) => /acme-client|axios|@peculiar/.test(f)), []);
      assert.equal(proxy.renewalInfoRequests.filter((id) => id === n.id).length, 1);

      const second = await n.run(['acme', 'cert', 'renew']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, first.stdout, 'the same window and the same instant');
      assert.equal(proxy.renewalInfoRequests.filter((id) => id === n.id).length, 1, 'no ARI request within Retry-After');
      const json = JSON.parse((await n.run(['acme', 'cert', 'renew', '--output-format', 'json'])).stdout) as { due: boolean; ari: { start: number; end: number } };
      assert.equal(json.due, false);
      assert.ok(json.ari.start < json.ari.end);
      // the certificate files are untouched (the state file carries the ARI answer)
      const after = snapshot(join(n.dir, 'certs'));
      for (const file of Object.keys(before).filter((f) => !f.includes('certnode.json'))) assert.equal(after[file], before[file], file);
    }),
  );

  test(
    'ARI unreachable: the lifetime rule alone (exit 0, not due)',
    fixture.withLogs(async () => {
      const n = await ordered();
      proxy.ariDown = true;
      try {
        const r = await n.run(['acme', 'cert', 'renew']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stderr, '');
        assert.match(r.stdout, /^Certificate does not expire within the next \d+ days, not renewing \(due for renewal from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\.\n$/);
        assert.ok(proxy.renewalInfoRequests.includes(n.id), 'it did ask');
      } finally {
        proxy.ariDown = false;
      }
    }),
  );

  test(
    'alreadyReplaced: the order is retried once without replaces',
    fixture.withLogs(async () => {
      const n = await ordered();
      proxy.renewalInfo.set(n.id, { suggestedWindow: { start: iso(-2 * DAY), end: iso(-DAY) } });
      proxy.refuseReplaces = true;
      const before = proxy.newOrders.length;
      try {
        const r = await n.run(['acme', 'cert', 'renew']);
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /The CA refused to mark the order as replacing the installed certificate \(.*already replaced.*\) - ordering without 'replaces'\n/);
        assert.match(r.stdout, /Task OK\n$/);
      } finally {
        proxy.refuseReplaces = false;
      }
      const orders = proxy.newOrders.slice(before);
      assert.deepEqual(orders.map((o) => o.replaces), [n.id, undefined]);
    }),
  );
});

describe('ACME profiles', () => {
  test(
    'profile=shortlived is sent in newOrder and shown by config get; an unknown profile is refused',
    fixture.withLogs(async () => {
      const n = await ordered(',profile=shortlived');
      assert.equal(proxy.newOrders.at(-1)!.profile, 'shortlived');
      const get = await n.run(['config', 'get', '--output-format', 'json']);
      assert.match((JSON.parse(get.stdout) as { acme: string }).acme, /profile=shortlived/);

      const bad = await node(',profile=bogus');
      const before = proxy.newOrders.length;
      const r = await bad.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 255, r.stdout + r.stderr);
      assert.match(r.stderr, /unknown profile 'bogus' - the CA offers: classic, shortlived\n$/);
      assert.equal(proxy.newOrders.length, before, 'no order placed');
    }),
  );
});

// ARI (RFC 9773), `replaces` and ACME profiles against a real Pebble 2.10: it serves renewalInfo
// (its window moved through the management endpoint /set-renewal-info/), records replacement
// orders in its log, refuses a second replacement (alreadyReplaced) and offers the profiles the
// harness configures. No mock: Pebble 2.10 has everything these tests need.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { baseEnv, runCli, snapshot, tempDir, type RunResult } from '../helpers/cli.ts';
import { runProbed } from '../helpers/probe.ts';
import { pebbleFixture, startPebble } from '../helpers/pebble.ts';

const SHORTLIVED_S = 6 * 86400;
const fixture = pebbleFixture({
  authzReuse: 0,
  nonceReject: 0,
  profiles: {
    classic: { description: '90 days', validityPeriod: 90 * 86400, promoteCommonName: true },
    shortlived: { description: 'six days', validityPeriod: SHORTLIVED_S },
  },
});
const cleanups: (() => void)[] = [];
before(() => fixture.start());
after(async () => {
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

function nodeAt(dir: string, env: Record<string, string>): Node {
  const run = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { configDir: dir, env: { ...env, ...extraEnv }, timeoutMs: 60_000 });
  return { dir, run, certFile: join(dir, 'certs', 'certnode.pem') };
}

/** A node registered at `pebble` with the standalone plugin; every order names its profile (Pebble picks a random one otherwise). */
async function node(acme = `domains=${freshName()},profile=classic`, pebble = fixture.get()): Promise<Node> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const n = nodeAt(dir, pebble.env);
  for (const step of [
    ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
    ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1'],
    ['config', 'set', '--acme', acme],
  ]) {
    const r = await n.run(step);
    assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
  }
  return n;
}

async function ordered(acme?: string): Promise<Node & { orderId: string }> {
  const n = await node(acme);
  const r = await n.run(['acme', 'cert', 'order']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  return { ...n, orderId: orderId(r.stdout) };
}

function orderId(stdout: string): string {
  const m = /Order URL: \S+\/my-order\/(\S+)\n/.exec(stdout);
  assert.ok(m, stdout);
  return m[1]!;
}

const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();
const DAY = 86_400_000;
const leaf = (n: Node): string => readFileSync(n.certFile, 'utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n/)![0];
/** Pebble logs `ARI: order "<new>" is a replacement of "<old>"` for every newOrder whose `replaces` it accepts. */
const replacementsOf = (id: string): number => fixture.get().log().split(`is a replacement of "${id}"`).length - 1;
const renewalInfoGets = (): number => (fixture.get().log().match(/GET \/draft-ietf-acme-ari-03\/renewalInfo\/ -> calling handler\(\)/g) ?? []).length;

describe('ARI: acme cert renew asks the CA when to renew', () => {
  test(
    'a window moved into the past renews a certificate the lifetime rule would keep, and the new order replaces it',
    fixture.withLogs(async () => {
      const n = await ordered();
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: iso(-2 * DAY), end: iso(-DAY) }, explanationURL: 'https://ca.example/why' });
      const oldChain = readFileSync(n.certFile, 'utf8');
      const r = await n.run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /^Renewing early: the CA suggests it \(ARI window from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d to \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\nThe CA explains its renewal window at https:\/\/ca\.example\/why\nLoading ACME account details\n/);
      assert.doesNotMatch(r.stdout, /refused/);
      assert.match(r.stdout, /Task OK\n$/);
      assert.notEqual(readFileSync(n.certFile, 'utf8'), oldChain);
      assert.equal(replacementsOf(n.orderId), 1, 'Pebble accepted the new order as replacing the old certificate');
    }),
  );

  test(
    "a window in the future: not due, says when, no ACME library loaded; a second run within Pebble's Retry-After (6 h) asks nothing",
    fixture.withLogs(async () => {
      const n = await ordered();
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: iso(20 * DAY), end: iso(22 * DAY) } });
      const before = snapshot(join(n.dir, 'certs'));
      const gets = renewalInfoGets();
      const first = await runProbed(['acme', 'cert', 'renew'], { ...baseEnv(fixture.get().env), CERTNODE_CONFIG_DIR: n.dir });
      assert.equal(first.status, 0, first.stderr);
      const notDue = /^Certificate does not expire within the next \d+ days, not renewing \(due for renewal from (\S+ \S+); ARI window from (\S+ \S+) to (\S+ \S+)\)\.\n$/;
      const m = notDue.exec(first.stdout);
      assert.ok(m, first.stdout);
      assert.ok(m[1]! >= m[2]! && m[1]! <= m[3]!, `the instant picked is inside the window: ${first.stdout}`);
      assert.ok(first.sources.some((f) => f.includes('node_modules/commander/')), 'the probe sees commander (control)');
      assert.deepEqual(first.sources.filter((f) => /acme-client|axios|@peculiar/.test(f)), []);
      assert.equal(renewalInfoGets(), gets + 1);

      const second = await n.run(['acme', 'cert', 'renew']);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(second.stdout, first.stdout, 'the same window and the same instant');
      assert.equal(renewalInfoGets(), gets + 1, 'no ARI request within Retry-After');
      const json = JSON.parse((await n.run(['acme', 'cert', 'renew', '--output-format', 'json'])).stdout) as { due: boolean; ari: { start: number; end: number; 'next-check': number } };
      assert.equal(json.due, false);
      assert.ok(json.ari.start < json.ari.end);
      const sixHours = Date.now() / 1000 + 6 * 3600;
      assert.ok(Math.abs(json.ari['next-check'] - sixHours) < 120, `next check after Pebble's Retry-After: ${json.ari['next-check']}`);
      // the certificate files are untouched (the state file carries the ARI answer)
      const after = snapshot(join(n.dir, 'certs'));
      for (const file of Object.keys(before).filter((f) => !f.includes('certnode.json'))) assert.equal(after[file], before[file], file);
    }),
  );

  test(
    'a malformed renewalInfo answer: one line says so, the lifetime rule decides (exit 0, not an error)',
    fixture.withLogs(async () => {
      const n = await ordered();
      await fixture.get().setRenewalInfo(leaf(n), 'this is not JSON');
      const r = await n.run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '');
      assert.match(
        r.stdout,
        /^No renewal information from the CA \(ARI: the answer has no valid suggestedWindow\) - deciding by the certificate's lifetime\nCertificate does not expire within the next \d+ days, not renewing \(due for renewal from \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\.\n$/,
      );
      const json = JSON.parse((await n.run(['acme', 'cert', 'renew', '--output-format', 'json'])).stdout) as Record<string, unknown>;
      assert.equal(json['ari-unavailable'], 'the answer has no valid suggestedWindow');
    }),
  );

  test('the CA unreachable: one line says so, the lifetime rule decides (exit 0)', async () => {
    const own = await startPebble({ authzReuse: 0, nonceReject: 0 });
    let n: Node;
    try {
      n = await node(`domains=${freshName()}`, own);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      cpSync(own.caFile, join(n.dir, 'pebble-ca.pem')); // stop() removes Pebble's files
    } finally {
      await own.stop();
    }
    const port = new URL(own.directoryUrl).port;
    const r = await n.run(['acme', 'cert', 'renew'], { NODE_EXTRA_CA_CERTS: join(n.dir, 'pebble-ca.pem') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(
      r.stdout,
      new RegExp(`^No renewal information from the CA \\(ARI: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\) - deciding by the certificate's lifetime\\nCertificate does not expire within the next \\d+ days, not renewing \\(due for renewal from \\S+ \\S+\\)\\.\\n$`),
    );
  });

  test(
    'a second renewal of the same certificate (a restored backup): Pebble says alreadyReplaced, the order is placed again without replaces',
    fixture.withLogs(async () => {
      const n = await ordered();
      const { dir: cloneDir, cleanup } = tempDir();
      cleanups.push(cleanup);
      cpSync(n.dir, cloneDir, { recursive: true });
      const clone = nodeAt(cloneDir, fixture.get().env);
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: iso(-2 * DAY), end: iso(-DAY) } });
      const first = await n.run(['acme', 'cert', 'renew']);
      assert.equal(first.code, 0, first.stdout + first.stderr);
      assert.equal(replacementsOf(n.orderId), 1);

      const second = await clone.run(['acme', 'cert', 'renew']);
      assert.equal(second.code, 0, second.stdout + second.stderr);
      assert.match(second.stdout, /\nThe CA refused the order as a replacement of the installed certificate \(.*already has a replacement order.*\) - ordering without 'replaces'\n/);
      assert.match(second.stdout, /Task OK\n$/);
      assert.equal(replacementsOf(n.orderId), 1, 'the retry carries no replaces');
    }),
  );

  test(
    'replaces only when the order keeps a name of the old certificate: after the domain list changed, no replaces, no refusal',
    fixture.withLogs(async () => {
      const n = await ordered();
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: iso(-2 * DAY), end: iso(-DAY) } });
      assert.equal((await n.run(['config', 'set', '--acme', `domains=${freshName()},profile=classic`])).code, 0);
      const r = await n.run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /refused/);
      assert.equal(replacementsOf(n.orderId), 0);
    }),
  );

  test(
    "replaces refused for another reason (the node's account changed): retried once without it",
    fixture.withLogs(async () => {
      const n = await ordered();
      assert.equal((await n.run(['acme', 'account', 'register', 'other', 'other@example.com', '--directory', fixture.get().directoryUrl, '--agree-tos'])).code, 0);
      const name = new X509Certificate(leaf(n)).subjectAltName!.replace(/^DNS:/, '');
      assert.equal((await n.run(['config', 'set', '--acme', `domains=${name},account=other,profile=classic`])).code, 0);
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: iso(-2 * DAY), end: iso(-DAY) } });
      const r = await n.run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /\nThe CA refused the order as a replacement of the installed certificate \(.*did not request the certificate being replaced.*\) - ordering without 'replaces'\n/);
      assert.match(r.stdout, /Task OK\n$/);
    }),
  );
});

describe('ACME profiles (Pebble 2.10 profiles: classic 90 days, shortlived 6 days)', () => {
  test(
    "profile=shortlived: Pebble's six-day certificate; renew decides at half its lifetime; an ARI window earlier or later moves the decision",
    fixture.withLogs(async () => {
      const n = await ordered(`domains=${freshName()},profile=shortlived`);
      const cert = new X509Certificate(leaf(n));
      const notBefore = Date.parse(cert.validFrom) / 1000;
      const notAfter = Date.parse(cert.validTo) / 1000;
      assert.ok(Math.abs(notAfter - notBefore - SHORTLIVED_S) <= 1, `lifetime ${notAfter - notBefore} s`);

      type Status = { due: boolean; 'due-from': number; notafter: number; ari?: { start: number; end: number } };
      const status = async (): Promise<Status> => {
        const r = await n.run(['acme', 'cert', 'renew', '--output-format', 'json']);
        assert.equal(r.code, 0, r.stderr);
        return JSON.parse(r.stdout) as Status;
      };
      // the state file remembers an answer for its Retry-After: drop it to ask again
      const state = join(n.dir, 'certs', 'certnode.json');
      const forget = (): void => {
        const s = JSON.parse(readFileSync(state, 'utf8')) as { acme: { ari?: unknown } };
        delete s.acme.ari;
        writeFileSync(state, JSON.stringify(s));
      };
      // without a usable window, the lifetime rule: half of a lifetime under 10 days
      await fixture.get().setRenewalInfo(leaf(n), 'no window');
      forget();
      const plain = await status();
      assert.equal(plain.due, false);
      assert.equal(plain.ari, undefined);
      assert.ok(Math.abs(plain['due-from'] - (notAfter - SHORTLIVED_S / 2)) <= 2, `due from ${plain['due-from']}, not after ${notAfter}`);

      // Pebble's own window (an empty answer restores it) lies around two thirds of the lifetime: it decides, up to 36 h before the end
      await fixture.get().setRenewalInfo(leaf(n), '');
      forget();
      const own = await status();
      assert.ok(own.ari, 'Pebble answered ARI');
      assert.ok(own['due-from'] >= Math.min(own.ari.start, notAfter - 36 * 3600) && own['due-from'] <= notAfter - 36 * 3600 + 1, `due from ${own['due-from']}, window ${own.ari.start}..${own.ari.end}`);

      const earlyStart = Date.now() + DAY;
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: new Date(earlyStart).toISOString(), end: new Date(earlyStart + 3600_000).toISOString() } });
      forget();
      const early = await status();
      assert.ok(early['due-from'] >= Math.floor(earlyStart / 1000) && early['due-from'] <= Math.floor(earlyStart / 1000) + 3600, `earlier: ${early['due-from']}`);

      const lateStart = (notAfter - 40 * 3600) * 1000; // after the lifetime rule (72 h before the end), before its bound (36 h)
      await fixture.get().setRenewalInfo(leaf(n), { suggestedWindow: { start: new Date(lateStart).toISOString(), end: new Date(lateStart + 3600_000).toISOString() } });
      forget();
      const late = await status();
      assert.ok(late['due-from'] >= Math.floor(lateStart / 1000) && late['due-from'] <= Math.floor(lateStart / 1000) + 3600, `later: ${late['due-from']}`);
    }),
  );

  test(
    'an unknown profile fails before the order, naming the offered ones; the offered profiles are shown by config get as set',
    fixture.withLogs(async () => {
      const n = await node(`domains=${freshName()},profile=bogus`);
      const orders = (fixture.get().log().match(/POST \/order-plz -> calling handler\(\)/g) ?? []).length;
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 255, r.stdout + r.stderr);
      assert.match(r.stderr, /unknown profile 'bogus' - the CA offers: classic, shortlived\n$/);
      assert.equal((fixture.get().log().match(/POST \/order-plz -> calling handler\(\)/g) ?? []).length, orders, 'no order placed');
      const get = await n.run(['config', 'get', '--output-format', 'json']);
      assert.match((JSON.parse(get.stdout) as { acme: string }).acme, /profile=bogus/);
    }),
  );

  test(
    "acme account info shows what the CA offers: its profiles, ARI, key rollover, EAB, terms of service",
    fixture.withLogs(async () => {
      const n = await node();
      const json = await n.run(['--output-format', 'json', 'acme', 'account', 'info']);
      assert.equal(json.code, 0, json.stderr);
      const info = JSON.parse(json.stdout) as { ca: unknown; 'key-type': string };
      assert.deepEqual(info.ca, {
        ari: true,
        'eab-required': false,
        'key-rollover': true,
        profiles: { classic: '90 days', shortlived: 'six days' },
        'terms-of-service': 'data:text/plain,Do%20what%20thou%20wilt',
      });
      assert.equal(info['key-type'], 'ec-256');
      const text = await n.run(['--noborder', 'acme', 'account', 'info']);
      assert.match(text.stdout, /\nca +ari: true\n +eab-required: false\n +key-rollover: true\n +profiles:\n +classic: 90 days\n +shortlived: six days\n +terms-of-service: data:text\/plain,Do%20what%20thou%20wilt\n/);
    }),
  );
});

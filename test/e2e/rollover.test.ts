// acme account rollover against Pebble 2.10's keyChange: the new key works, the old one is
// refused, every key type, and a SIGKILL at each step (CERTNODE_TEST_CRASH_AT) leaves an account
// file that certnode settles into one whose key Pebble accepts.

import assert from 'node:assert/strict';
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { testNode, type TestNode } from '../helpers/node.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void)[] = [];
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

let counter = 0;
const node = (keyType = 'ec-256'): Promise<TestNode> =>
  testNode(fixture.get(), { cleanups, registerArgs: ['--key-type', keyType], acme: `domains=roll${++counter}.example.test`, timeoutMs: 60_000 });

type AccountJson = { key: string; location: string; rollover?: { key: string } };
/** What these tests use of a node: a copy of one (snapshotAccount) has just this. */
type AccountNode = Pick<TestNode, 'dir' | 'run' | 'accountFile'>;
const accountJson = (n: AccountNode): AccountJson => JSON.parse(readFileSync(n.accountFile, 'utf8')) as AccountJson;

/** A second node holding a copy of `n`'s account file as it is now: its requests are signed with that key. */
function snapshotAccount(n: AccountNode): AccountNode {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  cpSync(n.dir, dir, { recursive: true });
  const run = (args: string[], extraEnv: Record<string, string> = {}) => runCli(args, { configDir: dir, env: { ...fixture.get().env, ...extraEnv }, timeoutMs: 60_000 });
  return { dir, run, accountFile: join(dir, 'acme', 'accounts', 'default') };
}

test(
  'rollover through all five key types: the task log and account info show the type, orders work with the new key, the old key is refused',
  fixture.withLogs(async () => {
    const n = await node('ec-256');
    const location = accountJson(n).location;
    let previous = 'ec-256';
    for (const type of ['ec-384', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ec-256']) {
      const old = snapshotAccount(n);
      const r = await n.run(['acme', 'account', 'rollover', '--key-type', type]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(
        r.stdout,
        `Generating new account key (${type}; the current one is ${previous})\nAsking the CA to switch account 'default' to the new key (keyChange)\nAccount key replaced (${previous} -> ${type}); the old key is no longer accepted by the CA\nTask OK\n`,
      );
      const file = accountJson(n);
      assert.equal(file.location, location, 'the same account');
      assert.equal(file.rollover, undefined);
      assert.equal(statSync(n.accountFile).mode & 0o777, 0o600);
      const info = JSON.parse((await n.run(['--output-format', 'json', 'acme', 'account', 'info'])).stdout) as Record<string, unknown>;
      assert.equal(info['key-type'], type);
      assert.equal(info.key, undefined);

      const refused = await old.run(['acme', 'account', 'update']);
      assert.equal(refused.code, 255, `the old key must be refused: ${refused.stdout}${refused.stderr}`);
      assert.match(refused.stderr, /^Task ERROR: .+\n$/);
      previous = type;
    }
    const order = await n.run(['acme', 'cert', 'order']);
    assert.equal(order.code, 0, order.stdout + order.stderr);
    assert.match(order.stdout, /Task OK\n$/);
  }),
);

test(
  'rollover without --key-type keeps the type; a missing account fails before the task',
  fixture.withLogs(async () => {
    const n = await node('ec-384');
    const before = accountJson(n).key;
    const r = await n.run(['acme', 'account', 'rollover']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^Generating new account key \(ec-384; the current one is ec-384\)\n/);
    assert.notEqual(accountJson(n).key, before);
    const missing = await n.run(['acme', 'account', 'rollover', 'nope']);
    assert.equal(missing.code, 255);
    assert.equal(missing.stderr, "ERROR: name: ACME account config file 'nope' does not exist.\nUSAGE: certnode acme account rollover [<name>] [OPTIONS]\n");
    const bad = await n.run(['acme', 'account', 'rollover', '--key-type', 'dsa']);
    assert.equal(bad.code, 255);
    assert.match(bad.stderr, /^ERROR: key-type: value 'dsa' does not have a value in the enumeration/);
  }),
);

for (const [step, settles] of [
  ['rollover-pending', /An interrupted key rollover of account 'default' had not reached the CA - keeping the old key\n/],
  ['rollover-accepted', /An interrupted key rollover of account 'default' had been accepted by the CA - using the new key \(rsa-2048\)\n/],
  ['rollover-switched', undefined],
] as const) {
  test(
    `SIGKILL at ${step}: the account file (0600) is settled to a key Pebble accepts, and an order works`,
    fixture.withLogs(async () => {
      const n = await node('ec-256');
      const original = accountJson(n);
      const old = snapshotAccount(n);
      const killed = await n.run(['acme', 'account', 'rollover', '--key-type', 'rsa-2048'], { CERTNODE_TEST_CRASH_AT: step });
      assert.equal(killed.code, null, `killed by SIGKILL: ${killed.stdout}${killed.stderr}`);
      assert.equal(statSync(n.accountFile).mode & 0o777, 0o600);
      const file = accountJson(n);
      if (step === 'rollover-switched') {
        assert.equal(file.rollover, undefined);
        assert.notEqual(file.key, original.key);
      } else {
        assert.equal(file.key, original.key, 'the old key stays until the switch');
        assert.ok(file.rollover?.key, 'the new key is kept beside it');
        const info = JSON.parse((await n.run(['--output-format', 'json', 'acme', 'account', 'info'])).stdout) as Record<string, unknown>;
        assert.equal(info.rollover, 'pending (new key rsa-2048)');
      }

      const order = await n.run(['acme', 'cert', 'order']);
      assert.equal(order.code, 0, order.stdout + order.stderr);
      if (settles) assert.match(order.stdout, settles);
      else assert.doesNotMatch(order.stdout, /interrupted key rollover/);
      const settled = accountJson(n);
      assert.equal(settled.rollover, undefined);
      assert.equal(statSync(n.accountFile).mode & 0o777, 0o600);
      // the settled key is the one Pebble accepts, and from the step of the switch on the old one is refused
      assert.equal((await n.run(['acme', 'account', 'update'])).code, 0);
      const oldKey = await old.run(['acme', 'account', 'update']);
      assert.equal(oldKey.code, step === 'rollover-pending' ? 0 : 255, oldKey.stdout + oldKey.stderr);
    }),
  );
}

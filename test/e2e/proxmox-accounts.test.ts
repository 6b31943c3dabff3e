// A PBS account file stays a PBS account file, and a PVE one a PVE one, through `acme account
// update` and `acme account rollover` (both phases: the pending new key, then the switch), against
// a real Pebble.
//
// PBS (proxmox-backup's account config) writes serde_json's pretty form: 2-space indent,
// `"k": v`, its struct order (location, account, key, tos, directoryUrl), no final newline, and
// needs `directoryUrl`; PVE (libproxmox-acme-perl) writes Perl JSON canonical: keys sorted,
// 3-space indent, `"k" : v`, with `directory`. JSON.stringify(x, null, 2) prints exactly serde's
// pretty form for these values, so it is the independent oracle for the PBS layout here.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void)[] = [];
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

type Json = Record<string, unknown>;

/** A certnode tree with account `main` registered at Pebble; returns its runner and account file. */
async function registered(): Promise<{ run: (args: string[], env?: Record<string, string>) => ReturnType<typeof runCli>; file: string }> {
  const pebble = fixture.get();
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { configDir: dir, env: { ...pebble.env, ...env }, timeoutMs: 60_000 });
  const reg = await run(['acme', 'account', 'register', 'main', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--key-type', 'ec-256']);
  assert.equal(reg.code, 0, reg.stderr);
  return { run, file: join(dir, 'acme', 'accounts', 'main') };
}

/** The account as PBS would have written it: its key order, termsOfServiceAgreed kept, no final newline. */
function asPbs(pve: Json): Json {
  const { status, contact, ...rest } = pve.account as Json;
  return {
    location: pve.location,
    account: { status, contact, termsOfServiceAgreed: true, ...rest },
    key: pve.key,
    tos: pve.tos,
    directoryUrl: pve.directory,
  };
}

const pbsText = (value: Json): string => JSON.stringify(value, null, 2);

/** The lines of `b` that are not in `a` (a multiset difference, enough to show what changed). */
function changedLines(a: string, b: string): string[] {
  const pool = a.split('\n');
  const out: string[] = [];
  for (const line of b.split('\n')) {
    const i = pool.indexOf(line);
    if (i === -1) out.push(line);
    else pool.splice(i, 1);
  }
  return out;
}

describe('a PBS account file stays PBS', () => {
  test('update: only the contact lines change; directoryUrl, termsOfServiceAgreed, order and layout stay', fixture.withLogs(async () => {
    const { run, file } = await registered();
    const original = pbsText(asPbs(JSON.parse(readFileSync(file, 'utf8')) as Json));
    writeFileSync(file, original, { mode: 0o600 });

    const info = await run(['--output-format', 'json', 'acme', 'account', 'info', 'main']);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(readFileSync(file, 'utf8'), original, 'reading writes nothing');

    const upd = await run(['acme', 'account', 'update', 'main', '--contact', 'ops@example.com']);
    assert.equal(upd.code, 0, upd.stderr);
    const text = readFileSync(file, 'utf8');
    const saved = JSON.parse(text) as Json;
    assert.deepEqual(Object.keys(saved), ['location', 'account', 'key', 'tos', 'directoryUrl']);
    assert.equal((saved.account as Json).termsOfServiceAgreed, true);
    assert.equal(text, pbsText(saved), "serde's pretty layout, no final newline");
    assert.deepEqual((saved.account as Json).contact, ['mailto:ops@example.com']);
    assert.deepEqual(changedLines(original, text), ['      "mailto:ops@example.com"']);
    assert.deepEqual(changedLines(text, original), ['      "mailto:admin@example.com"']);
  }));

  test('rollover: the pending phase and the switch both leave a PBS file; only the key changes', fixture.withLogs(async () => {
    const { run, file } = await registered();
    const original = pbsText(asPbs(JSON.parse(readFileSync(file, 'utf8')) as Json));
    writeFileSync(file, original, { mode: 0o600 });
    const oldKey = (JSON.parse(original) as Json).key;

    // phase 1: the new key is on disk beside the old one (killed right after writing it)
    const killed = await run(['acme', 'account', 'rollover', 'main'], { CERTNODE_TEST_CRASH_AT: 'rollover-pending' });
    assert.notEqual(killed.code, 0);
    const pendingText = readFileSync(file, 'utf8');
    const pending = JSON.parse(pendingText) as Json;
    assert.deepEqual(Object.keys(pending), ['location', 'account', 'key', 'tos', 'directoryUrl', 'rollover']);
    assert.equal(pendingText, pbsText(pending));
    assert.equal(pending.key, oldKey);
    assert.equal(pendingText.slice(0, original.length - 2), original.slice(0, -2), 'the file up to the new field is unchanged');

    // settled by the next use (the CA never saw the new key): back to the original bytes
    const settle = await run(['acme', 'account', 'update', 'main']);
    assert.equal(settle.code, 0, settle.stderr);
    assert.equal(readFileSync(file, 'utf8'), original);

    // phase 2: the switch
    const roll = await run(['acme', 'account', 'rollover', 'main']);
    assert.equal(roll.code, 0, roll.stderr);
    const text = readFileSync(file, 'utf8');
    const saved = JSON.parse(text) as Json;
    assert.deepEqual(Object.keys(saved), ['location', 'account', 'key', 'tos', 'directoryUrl']);
    assert.notEqual(saved.key, oldKey);
    assert.equal((saved.account as Json).termsOfServiceAgreed, true);
    assert.equal(text, pbsText(saved));
    // the private key, and the public key in the account object Pebble returns, changed; nothing else
    const changed = changedLines(original, text);
    assert.equal(changed.length, 3, changed.join('\n'));
    assert.match(changed[0]!, /^ {6}"x": "/);
    assert.match(changed[1]!, /^ {6}"y": "/);
    assert.match(changed[2]!, /^ {2}"key": "-----BEGIN PRIVATE KEY-----/);
  }));
});

describe('a PVE account file stays PVE', () => {
  test('update and rollover keep directory, the sorted 3-space layout and the final newline', fixture.withLogs(async () => {
    const { run, file } = await registered();
    const original = readFileSync(file, 'utf8');
    assert.match(original, /^\{\n {3}"account" : \{/);
    const upd = await run(['acme', 'account', 'update', 'main', '--contact', 'ops@example.com']);
    assert.equal(upd.code, 0, upd.stderr);
    const updated = readFileSync(file, 'utf8');
    assert.deepEqual(changedLines(original, updated), ['         "mailto:ops@example.com"']);
    const roll = await run(['acme', 'account', 'rollover', 'main']);
    assert.equal(roll.code, 0, roll.stderr);
    const rolled = readFileSync(file, 'utf8');
    // the private key, and the public key in the account object Pebble returns, changed; nothing else
    const changed = changedLines(updated, rolled);
    assert.equal(changed.length, 3, changed.join('\n'));
    assert.match(changed[0]!, /^ {9}"x" : "/);
    assert.match(changed[1]!, /^ {9}"y" : "/);
    assert.match(changed[2]!, /^ {3}"key" : "-----BEGIN PRIVATE KEY-----/);
    assert.deepEqual(Object.keys(JSON.parse(rolled) as Json), ['account', 'directory', 'key', 'location', 'tos']);
    assert.ok(rolled.endsWith('}\n'));
  }));
});

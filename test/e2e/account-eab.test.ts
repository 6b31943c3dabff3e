// External Account Binding against a Pebble that requires it.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { pebbleFixture } from '../helpers/pebble.ts';
import { KEY, runCliPty } from '../helpers/pty.ts';

const KID = 'kid-1';
const HMAC = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';
const WRONG = 'b10lLJs8l1GPIzsLP0s6pMt8O0XVGnfTaCeROxQM0BIt2XrJMDHJZBM5NuQmQJQH';
const fixture = pebbleFixture({ eabRequired: true, eabKeys: { [KID]: HMAC, 'kid-2': WRONG } });
const { dir, cleanup } = tempDir();
const files = (): string[] => (existsSync(join(dir, 'acme', 'accounts')) ? readdirSync(join(dir, 'acme', 'accounts')) : []);

before(() => fixture.start());
after(async () => {
  await fixture.stop();
  cleanup();
});

test(
  'the right kid/key registers',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const r = await runCli(['acme', 'account', 'register', 'bound', 'e@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--eab-kid', KID, '--eab-hmac-key', HMAC], {
      configDir: dir,
      env: pebble.env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Registration successful/);
    assert.ok(!r.stdout.includes(HMAC) && !r.stderr.includes(HMAC), 'the HMAC key must not be printed');
    assert.deepEqual(files(), ['bound']);
    const info = await runCli(['--output-format', 'json', 'acme', 'account', 'info', 'bound'], { configDir: dir, env: pebble.env });
    assert.equal(info.code, 0, info.stderr);
    assert.equal((JSON.parse(info.stdout) as { ca: { 'eab-required': boolean } }).ca['eab-required'], true, 'account info says the CA requires EAB');
  }),
);

test(
  'a wrong key fails with the CA message, non-zero, no account file',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const r = await runCli(['acme', 'account', 'register', 'wrong', 'e@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--eab-kid', KID, '--eab-hmac-key', WRONG], {
      configDir: dir,
      env: pebble.env,
    });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /^Task ERROR: Registration failed: .*(binding|signature|verify)/im);
    assert.ok(!files().includes('wrong'));
  }),
);

test(
  'EAB required, no flags, nothing on stdin: error naming the flags',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const r = await runCli(['acme', 'account', 'register', 'noeab', 'e@example.com', '--directory', pebble.directoryUrl, '--agree-tos'], { configDir: dir, env: pebble.env, timeoutMs: 15_000 });
    assert.equal(r.code, 255);
    assert.match(r.stdout, /The CA requires external account binding\.\nYou should have received a key id and a key from your CA\.\nEnter EAB key id: \n$/);
    assert.equal(r.stderr, 'ERROR: no answer for "Enter EAB key id" on stdin; pass --eab-kid/--eab-hmac-key\nUSAGE: certnode acme account register [<name>] <contact> [OPTIONS]\n');
    assert.ok(!files().includes('noeab'));
  }),
);

test(
  'EAB answered on stdin',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const r = await runCli(['acme', 'account', 'register', 'piped', 'e@example.com', '--directory', pebble.directoryUrl], { configDir: dir, env: pebble.env, stdin: `y\n${KID}\n${HMAC}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(files().includes('piped'));
  }),
);

test(
  'EAB asked on a terminal, the key masked',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const r = await runCliPty(
      ['--config-dir', dir, 'acme', 'account', 'register', 'ttyeab', 'e@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
      [
        { expect: 'Enter EAB key id', send: `${KID}${KEY.enter}` },
        { expect: 'Enter EAB key', send: `${HMAC}${KEY.enter}` },
      ],
      { env: pebble.env },
    );
    assert.equal(r.code, 0, r.output);
    assert.ok(!r.output.includes(HMAC), 'the key is not echoed');
    assert.ok(files().includes('ttyeab'));
  }),
);

test(
  'the key without argv: from --eab-hmac-key-file, from CERTNODE_EAB_HMAC_KEY, and from stdin after --eab-kid',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const keyFile = join(dir, 'eab.key');
    writeFileSync(keyFile, `${HMAC}\n`, { mode: 0o600 });
    const base = (name: string) => ['acme', 'account', 'register', name, 'e@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--eab-kid', KID];
    const ways: [string, string[], Record<string, string>, string | undefined][] = [
      ['fromfile', ['--eab-hmac-key-file', keyFile], {}, undefined],
      ['fromenv', [], { CERTNODE_EAB_HMAC_KEY: HMAC }, undefined],
      ['fromstdin', [], {}, `${HMAC}\n`],
    ];
    for (const [name, extra, env, stdin] of ways) {
      const r = await runCli([...base(name), ...extra], { configDir: dir, env: { ...pebble.env, ...env }, ...(stdin === undefined ? {} : { stdin }) });
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.ok(!r.stdout.includes(HMAC) && !r.stderr.includes(HMAC), `${name}: the HMAC key must not be printed`);
      assert.ok(files().includes(name), name);
    }
    // the same key from two places, or a key without its id, is refused before the CA is asked
    const both = await runCli([...base('both'), '--eab-hmac-key-file', keyFile, '--eab-hmac-key', HMAC], { configDir: dir, env: pebble.env });
    assert.equal(both.code, 255);
    assert.match(both.stderr, /^ERROR: only one of 'eab-hmac-key' and 'eab-hmac-key-file' can be set\n/);
    const noKid = await runCli(['acme', 'account', 'register', 'nokid', 'e@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--eab-hmac-key-file', keyFile], { configDir: dir, env: pebble.env });
    assert.equal(noKid.code, 255);
    assert.match(noKid.stderr, /^ERROR: 'eab-kid' is needed with 'eab-hmac-key-file'\n/);
    const notBase64 = await runCli([...base('bad')], { configDir: dir, env: { ...pebble.env, CERTNODE_EAB_HMAC_KEY: 'not base64!' } });
    assert.equal(notBase64.code, 255);
    assert.match(notBase64.stderr, /^ERROR: CERTNODE_EAB_HMAC_KEY: invalid format - the EAB HMAC key is not base64url\n/);
  }),
);

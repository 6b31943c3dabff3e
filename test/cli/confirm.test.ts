// Confirmations before what cannot be undone: deactivating the account node.cfg uses, revoking.
// Asked on a terminal (y/N), skipped with --yes; without a terminal the command goes on as pvenode's
// does, with a warning for the account in use. The CA here is a closed port: nothing gets that far
// unless the question was passed, which is what these tests look at.

import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { opensslCert } from '../helpers/certs.ts';
import { runCli, snapshot, tempDir } from '../helpers/cli.ts';
import { KEY, runCliPty } from '../helpers/pty.ts';

const CLOSED_CA = 'http://127.0.0.1:9/directory';
const QUESTION = "Account 'default' is the one this node orders and renews with (node.cfg); deactivate it?";

describe('confirmations', () => {
  const { dir, cleanup } = tempDir();
  const cfg = join(dir, 'etc');
  after(cleanup);
  before(() => {
    mkdirSync(join(cfg, 'acme', 'accounts'), { recursive: true, mode: 0o700 });
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    for (const name of ['default', 'other']) {
      writeFileSync(join(cfg, 'acme', 'accounts', name), JSON.stringify({ account: { status: 'valid' }, directory: CLOSED_CA, key, location: `${CLOSED_CA}/acct/${name}` }), { mode: 0o600 });
    }
  });

  test('deactivating the account in use asks on a terminal; "n" changes nothing and exits 255', async () => {
    const before = snapshot(cfg);
    const r = await runCliPty(['--config-dir', cfg, 'acme', 'account', 'deactivate'], [{ expect: 'deactivate it?', send: `n${KEY.enter}` }]);
    assert.equal(r.code, 255, r.output);
    assert.ok(r.output.includes(QUESTION), r.output);
    assert.match(r.output, /ERROR: aborted, nothing was changed \(--yes skips this question\)\n$/);
    assert.deepEqual(snapshot(cfg), before);
  });

  test('--yes, another account, or no terminal: no question (the closed CA then fails the task)', async () => {
    const yes = await runCli(['acme', 'account', 'deactivate', '--yes'], { configDir: cfg, tty: true });
    assert.doesNotMatch(yes.stdout, /deactivate it\?/);
    assert.match(yes.stdout, /Task ERROR: /);
    const other = await runCli(['acme', 'account', 'deactivate', 'other'], { configDir: cfg, tty: true });
    assert.doesNotMatch(other.stdout, /deactivate it\?|node\.cfg uses/);
    assert.match(other.stdout, /Task ERROR: /);
    const piped = await runCli(['acme', 'account', 'deactivate'], { configDir: cfg });
    assert.equal(piped.code, 255);
    assert.equal(
      piped.stdout,
      "node.cfg uses account 'default': renewals fail until another is registered and selected (certnode config set --acme account=<name>)\n",
    );
    assert.match(piped.stderr, /^Task ERROR: /);
    assert.ok(existsSync(join(cfg, 'acme', 'accounts', 'default')));
  });

  test('revoke asks on a terminal, naming the certificate; "n" leaves the pair in place', async () => {
    const made = opensslCert(dir, 'revokeme');
    assert.equal((await runCli(['cert', 'set', made.certFile, made.keyFile], { configDir: cfg })).code, 0);
    const before = snapshot(cfg);
    const r = await runCliPty(['--config-dir', cfg, 'acme', 'cert', 'revoke'], [{ expect: 'takes its place', send: `n${KEY.enter}` }]);
    assert.equal(r.code, 255, r.output);
    assert.match(r.output, /Revoke the installed certificate \(CN=revokeme\.example\.com, serial [0-9a-f]+\)\? A self-signed one takes its place\./);
    assert.match(r.output, /ERROR: aborted, nothing was changed/);
    assert.deepEqual(snapshot(cfg), before);
    const yes = await runCli(['acme', 'cert', 'revoke', '--yes'], { configDir: cfg, tty: true });
    assert.doesNotMatch(yes.stdout, /Revoke the installed certificate/);
    assert.match(yes.stdout, /Task ERROR: /);
  });
});

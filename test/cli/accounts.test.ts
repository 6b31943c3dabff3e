// Account commands that need no CA: listing, info, directories, option checks, lazy loading.

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import { main } from '../../src/cli.ts';
import type { Context } from '../../src/context.ts';
import { runCli, tempDir } from '../helpers/cli.ts';

const { dir, cleanup } = tempDir();
after(cleanup);
const accounts = join(dir, 'acme', 'accounts');
mkdirSync(accounts, { recursive: true });
const file = (name: string, directoryKey = 'directory') =>
  JSON.stringify({ account: { status: 'valid', contact: ['mailto:a@example.com'] }, [directoryKey]: 'https://ca.example/dir', key: 'SECRET-PEM', location: `https://ca.example/acct/${name}` });
writeFileSync(join(accounts, 'zeta'), file('zeta'));
writeFileSync(join(accounts, 'alpha'), file('alpha', 'directoryUrl'));
writeFileSync(join(accounts, '_deactivated_old_0'), file('old'));
writeFileSync(join(accounts, 'x'), file('x')); // not a valid name (pve-configid needs 2+ chars)
writeFileSync(join(accounts, '.alpha.tmp-1-ab'), 'junk');

test('account list: a sorted name table; deactivated and invalid names skipped', async () => {
  const text = await runCli(['acme', 'account', 'list'], { configDir: dir });
  assert.equal(text.code, 0, text.stderr);
  assert.equal(text.stdout, '┌───────┐\n│ name  │\n╞═══════╡\n│ alpha │\n├───────┤\n│ zeta  │\n└───────┘\n');
  const json = await runCli(['--output-format', 'json', 'acme', 'acc', 'li'], { configDir: dir });
  assert.equal(json.stdout, '[{"name":"alpha"},{"name":"zeta"}]\n');
  const empty = await runCli(['acme', 'account', 'list'], { configDir: join(dir, 'nothing') });
  assert.equal(empty.code, 0);
  assert.equal(empty.stdout, '');
});

test('account info: json without the key, PBS directoryUrl read, missing account', async () => {
  const json = await runCli(['--output-format', 'json', 'acme', 'account', 'info', 'alpha'], { configDir: dir });
  // ca.example does not resolve: what the CA offers is replaced by why it could not be asked
  const { ca, ...stored } = JSON.parse(json.stdout) as Record<string, unknown>;
  assert.match(String(ca), /^not reachable - .*ca\.example/);
  assert.equal(JSON.stringify(stored), '{"account":{"contact":["mailto:a@example.com"],"status":"valid"},"directory":"https://ca.example/dir","location":"https://ca.example/acct/alpha"}');
  const text = await runCli(['--noborder', 'acme', 'account', 'info', 'zeta'], { configDir: dir });
  assert.match(text.stdout, /^key       value\naccount   contact:\n            - mailto:a@example\.com\n          status: valid\nca        not reachable - .*\ndirectory https:\/\/ca\.example\/dir\nlocation  https:\/\/ca\.example\/acct\/zeta\n$/);
  assert.ok(!text.stdout.includes('SECRET'));
  const missing = await runCli(['acme', 'account', 'info'], { configDir: dir });
  assert.equal(missing.code, 255);
  assert.equal(missing.stderr, "ERROR: name: ACME account config file 'default' does not exist.\nUSAGE: certnode acme account info [<name>] [OPTIONS]\n");
  const upd = await runCli(['acme', 'account', 'update', 'nope'], { configDir: dir });
  assert.equal(upd.stderr, "ERROR: name: ACME account config file 'nope' does not exist.\nUSAGE: certnode acme account update [<name>] [OPTIONS]\n");
});

test('register option checks happen before anything else', async () => {
  // a key without its id (--eab-kid alone is fine: the key is then asked for)
  const only = await runCli(['acme', 'account', 'register', 'name', 'a@example.com', '--eab-hmac-key', 'k'], { configDir: dir });
  assert.equal(only.code, 255);
  assert.match(only.stderr, /^ERROR: 'eab-kid' is needed with 'eab-hmac-key'\nUSAGE: certnode acme account register \[<name>\] <contact> \[OPTIONS\]\n$/);
  const one = await runCli(['acme', 'account', 'register', 'a@example.com'], { configDir: dir });
  assert.match(one.stderr, /^ERROR: not enough arguments - <contact> is missing\n/);
  const badName = await runCli(['acme', 'account', 'register', '_x', 'a@example.com'], { configDir: dir });
  assert.match(badName.stderr, /^ERROR: name: invalid format - invalid configuration ID '_x'\n/);
  const exists = await runCli(['acme', 'account', 'register', 'zeta', 'a@example.com'], { configDir: dir, stdin: '0\n' });
  assert.equal(exists.stdout, '', 'an existing name is refused before the menu');
  assert.equal(exists.stderr, "ERROR: name: ACME account config file 'zeta' already exists.\nUSAGE: certnode acme account register [<name>] <contact> [OPTIONS]\n");
});

test('help, account list and directories do not load acme-client', async () => {
  const out = new PassThrough();
  out.resume();
  const ctx: Context = {
    io: { stdin: new PassThrough(), stdout: out, stderr: out, isStdinTTY: false, isStdoutTTY: false, isStderrTTY: false, columns: undefined },
    env: { CERTNODE_CONFIG_DIR: dir },
    now: () => new Date(),
    onInterrupt: () => () => {},
    sleep: async () => {},
  };
  for (const argv of [['--help'], ['acme', 'account', 'list'], ['acme', 'directories'], ['acme', 'account', 'info', 'zeta'], ['acme', 'plugin', 'list']]) {
    assert.equal(await main(argv, ctx), 0, argv.join(' '));
  }
  const cache = createRequire(import.meta.url).cache;
  assert.deepEqual(Object.keys(cache).filter((k) => k.includes('acme-client') || k.includes('@inquirer')), []);
});

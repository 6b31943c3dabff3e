// Account commands against a real Pebble (default 5 % nonce rejection: certnode must survive badNonce).

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { freePort, pebbleFixture } from '../helpers/pebble.ts';
import { KEY, runCliPty } from '../helpers/pty.ts';

const fixture = pebbleFixture();
const dirs: (() => void)[] = [];
function configDir(): string {
  const { dir, cleanup } = tempDir();
  dirs.push(cleanup);
  return dir;
}
function accountFiles(dir: string): string[] {
  const accounts = join(dir, 'acme', 'accounts');
  return existsSync(accounts) ? readdirSync(accounts).filter((f) => !f.endsWith('.lock')) : [];
}

before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of dirs) cleanup();
});

describe('account lifecycle', () => {
  test(
    'register non-interactively, list, info, update, deactivate; Pebble then refuses the account',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env });

      const reg = await run(['acme', 'account', 'register', 'main', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos']);
      assert.equal(reg.code, 0, reg.stderr);
      assert.match(reg.stdout, /^\nAttempting to fetch Terms of Service from '.*\/dir'\.\.\nTerms of Service: data:text\/plain,/);
      assert.match(reg.stdout, /Generating ACME account key\.\.\nRegistering ACME account\.\.\nRegistration successful, account URL: 'https:\/\/127\.0\.0\.1:\d+\/my-account\/\w+'\nTask OK\n$/);
      const file = join(dir, 'acme', 'accounts', 'main');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      assert.equal(statSync(join(dir, 'acme', 'accounts')).mode & 0o777, 0o700);
      const saved = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(saved), ['account', 'directory', 'key', 'location', 'tos']);
      assert.equal(saved.directory, pebble.directoryUrl);
      assert.match(String(saved.key), /^-----BEGIN PRIVATE KEY-----/);
      assert.match(readFileSync(file, 'utf8'), /^\{\n   "account" : \{/);

      const list = await run(['--output-format', 'json', 'acme', 'account', 'list']);
      assert.equal(list.code, 0, list.stderr);
      assert.deepEqual(JSON.parse(list.stdout), [{ name: 'main' }]);
      const listText = await run(['--noborder', 'acme', 'account', 'list']);
      assert.equal(listText.stdout, 'name\nmain\n');

      const info = await run(['--output-format', 'json', 'acme', 'account', 'info', 'main']);
      assert.equal(info.code, 0, info.stderr);
      const infoData = JSON.parse(info.stdout) as { account: { contact: string[]; status: string }; location: string; directory: string; tos: string; key?: string };
      assert.deepEqual(infoData.account.contact, ['mailto:admin@example.com']);
      assert.equal(infoData.account.status, 'valid');
      assert.equal(infoData.key, undefined, 'info must not show the private key');
      const infoText = await run(['acme', 'account', 'info', 'main']);
      assert.match(infoText.stdout, /│ location +│ https:\/\/127\.0\.0\.1/);

      const upd = await run(['acme', 'account', 'update', 'main', '--contact', 'ops@example.com;root@example.com']);
      assert.equal(upd.code, 0, upd.stderr);
      assert.equal(upd.stdout, 'Task OK\n');
      const afterUpdate = JSON.parse(readFileSync(file, 'utf8')) as { account: { contact: string[] } };
      assert.deepEqual(afterUpdate.account.contact, ['mailto:ops@example.com', 'mailto:root@example.com']);

      const refresh = await run(['--output-format', 'json', 'acme', 'account', 'update', 'main']);
      assert.equal(refresh.code, 0, refresh.stderr);
      assert.deepEqual((JSON.parse(refresh.stdout) as typeof infoData).account.contact, ['mailto:ops@example.com', 'mailto:root@example.com']);

      const deact = await run(['acme', 'account', 'deactivate', 'main']);
      assert.equal(deact.code, 0, deact.stderr);
      assert.match(deact.stdout, /Renaming account file from '.*\/main' to '.*\/_deactivated_main_0'\nTask OK\n$/);
      assert.deepEqual(accountFiles(dir), ['_deactivated_main_0']);
      assert.equal((await run(['acme', 'account', 'list'])).stdout, '');

      // Pebble refuses the deactivated account: put the retired file back and try to use it.
      const { renameSync } = await import('node:fs');
      renameSync(join(dir, 'acme', 'accounts', '_deactivated_main_0'), file);
      const refused = await run(['acme', 'account', 'update', 'main']);
      assert.equal(refused.code, 255);
      assert.match(refused.stderr, /Task ERROR: .*deactivated.* \(account 'main'\) - register a new account with certnode acme account register <name> <email> and select it with certnode config set --acme account=<name>\n$/i);
      // an order with it names the account and the way out too
      assert.equal((await run(['config', 'set', '--acme', 'account=main,domains=deact.example.com'])).code, 0);
      const order = await run(['acme', 'cert', 'order']);
      assert.equal(order.code, 255);
      assert.match(order.stderr, /Task ERROR: .*deactivated.* \(account 'main'\) - register a new account with certnode acme account register/i);

      // Without --force the file stays; with --force it is retired anyway, with a warning.
      const again = await run(['acme', 'account', 'deactivate', 'main']);
      assert.notEqual(again.code, 0);
      assert.ok(existsSync(file));
      const forced = await run(['acme', 'account', 'deactivate', 'main', '--force']);
      assert.equal(forced.code, 0, forced.stderr);
      assert.match(forced.stdout, /error deactivating account main, proceeding anyway - .*deactivated/i);
      // node.cfg names 'main' now: no terminal, so no question, but a warning
      assert.match(forced.stdout, /^node\.cfg uses account 'main': renewals fail until another is registered and selected \(certnode config set --acme account=<name>\)\n/);
      assert.match(forced.stdout, /_deactivated_main_0'\nTask WARNINGS: 2\n$/);
    }),
  );

  test(
    'registering the same account again is unchanged (no request, file untouched); other settings under that name fail',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const args = ['acme', 'account', 'register', 'twice', 'a@example.com', '--directory', pebble.directoryUrl, '--agree-tos'];
      const first = await runCli(args, { configDir: dir, env: pebble.env });
      assert.equal(first.code, 0, first.stderr);
      const file = join(dir, 'acme', 'accounts', 'twice');
      const before = statSync(file);
      const requests = await pebble.requestCount();
      const second = await runCli(args, { configDir: dir, env: pebble.env });
      assert.deepEqual(second, { code: 0, stdout: 'unchanged\n', stderr: '' });
      const json = await runCli([...args, '--output-format', 'json'], { configDir: dir, env: pebble.env });
      assert.deepEqual(json, { code: 0, stdout: '{"changed":false}\n', stderr: '' });
      const other = await runCli(['acme', 'account', 'register', 'twice', 'b@example.com', '--directory', pebble.directoryUrl, '--agree-tos'], { configDir: dir, env: pebble.env });
      assert.equal(other.code, 255);
      assert.equal(
        other.stderr,
        "ERROR: name: ACME account config file 'twice' already exists with another contact - change its contact with certnode acme account update twice --contact <email>, or register under another name\nUSAGE: certnode acme account register [<name>] <contact> [OPTIONS]\n",
      );
      const otherKey = await runCli([...args, '--key-type', 'rsa-2048'], { configDir: dir, env: pebble.env });
      assert.match(otherKey.stderr, /already exists with another key type/);
      assert.equal(await pebble.requestCount(), requests, 'no request may reach Pebble');
      const after = statSync(file);
      assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs]);
    }),
  );

  test(
    'every key type registers',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const types = ['ec-256', 'ec-384', 'rsa-2048', 'rsa-3072', 'rsa-4096'];
      const results = await Promise.all(
        types.map((t) =>
          runCli(['--output-format', 'json', 'acme', 'account', 'register', `k${t.replace('-', '')}`, 'k@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--key-type', t], {
            configDir: dir,
            env: pebble.env,
            timeoutMs: 60_000,
          }),
        ),
      );
      const expected: Record<string, { kty: string; crv?: string; bits?: number }> = {
        'ec-256': { kty: 'EC', crv: 'P-256' },
        'ec-384': { kty: 'EC', crv: 'P-384' },
        'rsa-2048': { kty: 'RSA', bits: 2048 },
        'rsa-3072': { kty: 'RSA', bits: 3072 },
        'rsa-4096': { kty: 'RSA', bits: 4096 },
      };
      results.forEach((r, i) => {
        const type = types[i]!;
        assert.equal(r.code, 0, `${type}: ${r.stderr}`);
        const jwk = (JSON.parse(r.stdout) as { account: { key: { kty: string; crv?: string; n?: string } } }).account.key;
        assert.equal(jwk.kty, expected[type]!.kty, type);
        if (jwk.crv) assert.equal(jwk.crv, expected[type]!.crv);
        if (jwk.n) assert.equal(Buffer.from(jwk.n, 'base64url').length * 8, expected[type]!.bits);
      });
      assert.equal(accountFiles(dir).length, 5);
      const bad = await runCli(['acme', 'account', 'register', 'kx', 'k@example.com', '--directory', pebble.directoryUrl, '--agree-tos', '--key-type', 'ed25519'], { configDir: dir });
      assert.equal(bad.code, 255);
      assert.match(bad.stderr, /^ERROR: key-type: value 'ed25519' does not have a value in the enumeration/);
    }),
  );
});

describe('interactive register', () => {
  test(
    'answers piped on stdin: menu choice Custom, the URL, y',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const r = await runCli(['acme', 'account', 'register', 'piped', 'p@example.com'], { configDir: dir, env: pebble.env, stdin: `5\n${pebble.directoryUrl}\ny\n` });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(
        r.stdout.split('\nAttempting to register')[0],
        [
          'Directory endpoints:',
          "0) Let's Encrypt V2 (https://acme-v02.api.letsencrypt.org/directory)",
          "1) Let's Encrypt V2 Staging (https://acme-staging-v02.api.letsencrypt.org/directory)",
          '2) ZeroSSL (https://acme.zerossl.com/v2/DV90)',
          '3) Google Trust Services (https://dv.acme-v02.api.pki.goog/directory)',
          '4) Google Trust Services Staging (https://dv.acme-v02.test-api.pki.goog/directory)',
          '5) Custom',
          'Enter selection: ',
          'Enter custom URL: ',
          '',
          `Attempting to fetch Terms of Service from '${pebble.directoryUrl}'..`,
          'Terms of Service: data:text/plain,Do%20what%20thou%20wilt',
          'Do you agree to the above terms? [y|N]: ',
          'Do you want to use external account binding? [y|N]: ',
          '',
        ].join('\n'),
      );
      assert.match(r.stdout, /Registration successful, account URL: '.*'\nTask OK\n$/);
      assert.deepEqual(accountFiles(dir), ['piped']);
    }),
  );

  test(
    'an invalid menu answer is asked again; declining the terms is an error (255) without a file',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const r = await runCli(['acme', 'account', 'register', 'declined', 'p@example.com'], { configDir: dir, env: pebble.env, stdin: `7\nx\n5\n${pebble.directoryUrl}\nn\n` });
      assert.equal(r.code, 255);
      assert.equal((r.stdout.match(/Invalid selection\./g) ?? []).length, 2);
      assert.match(r.stderr, /ERROR: Cannot continue without agreeing to ToS, aborting\./);
      assert.deepEqual(accountFiles(dir), []);
    }),
  );

  test(
    'stdin closed and no --agree-tos: an error naming --agree-tos, no hang, no file',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const r = await runCli(['acme', 'account', 'register', 'closed', 'c@example.com', '--directory', pebble.directoryUrl], { configDir: dir, env: pebble.env, timeoutMs: 15_000 });
      assert.equal(r.code, 255);
      assert.equal(r.stderr, 'ERROR: no answer for "Do you agree to the above terms? [y|N]" on stdin; pass --agree-tos\nUSAGE: certnode acme account register [<name>] <contact> [OPTIONS]\n');
      assert.deepEqual(accountFiles(dir), []);
      const menu = await runCli(['acme', 'account', 'register', 'closed', 'c@example.com'], { configDir: dir, env: pebble.env, timeoutMs: 15_000 });
      assert.equal(menu.code, 255);
      assert.match(menu.stderr, /pass --directory\nUSAGE: certnode acme account register \[<name>\] <contact> \[OPTIONS\]\n$/);
    }),
  );

  test(
    'numbered menu on a real pseudo-terminal: arrow keys move, Enter picks',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = configDir();
      const r = await runCliPty(
        ['--config-dir', dir, 'acme', 'account', 'register', 'tty', 't@example.com'],
        [
          { expect: '5) Custom', send: KEY.up + KEY.enter },
          { expect: 'Enter custom URL', send: `${pebble.directoryUrl}${KEY.enter}` },
          { expect: 'Do you agree to the above terms?', send: `y${KEY.enter}` },
          { expect: 'Do you want to use external account binding?', send: KEY.enter },
        ],
        { env: pebble.env, timeoutMs: 30_000 },
      );
      assert.equal(r.code, 0, r.output);
      assert.match(r.output, /Registration successful, account URL: '.*'\nTask OK\n/);
      assert.deepEqual(accountFiles(dir), ['tty']);
      const saved = JSON.parse(readFileSync(join(dir, 'acme', 'accounts', 'tty'), 'utf8')) as { directory: string };
      assert.equal(saved.directory, pebble.directoryUrl);
    }),
  );
});

test(
  "a CA whose certificate is not trusted: the error says to set CERTNODE_CA_BUNDLE",
  fixture.withLogs(async () => {
    const dir = configDir();
    const r = await runCli(['acme', 'account', 'register', 'untrusted', 'a@example.com', '--directory', fixture.get().directoryUrl, '--agree-tos'], {
      configDir: dir,
      timeoutMs: 15_000,
    });
    assert.equal(r.code, 255);
    assert.match(r.stderr, /^ERROR: unable to fetch ACME directory '.*' - .* - if the ACME server uses a private CA, set CERTNODE_CA_BUNDLE to a PEM file of its root certificate\n$/);
    assert.deepEqual(accountFiles(dir), []);
  }),
);

describe('register errors: one clear line, non-zero exit, no file', () => {
  let server: Server;
  let notAcmeUrl = '';
  before(async () => {
    server = createServer((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end('{"hello":"world"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    notAcmeUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/directory`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const cases: [string, () => Promise<string[]>, RegExp][] = [
    ['invalid contact', async () => ['bad', 'not-an-email', '--directory', fixture.get().directoryUrl], /^ERROR: contact: invalid format - value 'not-an-email' does not look like a valid email address\nUSAGE: /],
    ['invalid directory URL', async () => ['bad', 'a@example.com', '--directory', 'ftp://example.com/dir'], /^ERROR: directory: invalid format - 'ftp:\/\/example\.com\/dir' is not an http:\/\/ or https:\/\/ URL\nUSAGE: /],
    [
      'unreachable directory',
      async () => ['bad', 'a@example.com', '--directory', `https://127.0.0.1:${await freePort()}/dir`, '--agree-tos'],
      /^ERROR: unable to fetch ACME directory 'https:\/\/127\.0\.0\.1:\d+\/dir' - connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/,
    ],
    ['non-ACME JSON', async () => ['bad', 'a@example.com', '--directory', notAcmeUrl, '--agree-tos'], /^ERROR: 'http:\/\/127\.0\.0\.1:\d+\/directory' is not an ACME directory \(no newAccount\/newNonce\/newOrder\)\n$/],
  ];
  for (const [name, args, expected] of cases) {
    test(name, async () => {
      const dir = configDir();
      const r = await runCli(['acme', 'account', 'register', ...(await args())], { configDir: dir, env: fixture.get().env, timeoutMs: 15_000 });
      assert.equal(r.code, 255);
      assert.match(r.stderr, expected);
      assert.deepEqual(accountFiles(dir), []);
    });
  }
});

// One list of CAs: `acme directories`, the register menu (piped and on a terminal) and
// `--directory <id>` agree on ids, names and numbers.

import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { KEY, runCliPty } from '../helpers/pty.ts';

const STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
/**
 * No test may reach a real CA: a CA bundle that does not exist makes the directory fetch fail at
 * once, right after the line that says which directory was chosen (what these tests look at).
 */
const OFFLINE = { CERTNODE_CA_BUNDLE: '/nonexistent/ca-bundle.pem' };
const FETCHING_STAGING = `Attempting to fetch Terms of Service from '${STAGING}'..`;

describe('known directories', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);

  test('acme directories: ids, the menu order in text and JSON, no Buypass', async () => {
    const text = await runCli(['acme', 'directories', '--noborder'], { configDir: dir });
    assert.equal(text.code, 0, text.stderr);
    assert.equal(
      text.stdout,
      [
        'id                  name                          url                                                    eab',
        "letsencrypt         Let's Encrypt V2              https://acme-v02.api.letsencrypt.org/directory         0",
        `letsencrypt-staging Let's Encrypt V2 Staging      ${STAGING} 0`,
        'zerossl             ZeroSSL                       https://acme.zerossl.com/v2/DV90                       1',
        'google              Google Trust Services         https://dv.acme-v02.api.pki.goog/directory             1',
        'google-staging      Google Trust Services Staging https://dv.acme-v02.test-api.pki.goog/directory        1',
        '',
      ].join('\n'),
    );
    const json = await runCli(['acme', 'directories', '--output-format', 'json'], { configDir: dir });
    const ids = (JSON.parse(json.stdout) as { id: string }[]).map((d) => d.id);
    assert.deepEqual(ids, ['letsencrypt', 'letsencrypt-staging', 'zerossl', 'google', 'google-staging']);
  });

  test('the piped menu: pvenode numbering, Custom last, 1 is Let\'s Encrypt V2 Staging', async () => {
    const r = await runCli(['acme', 'account', 'register', 'menu', 'm@example.com'], { configDir: dir, stdin: '1\n', env: OFFLINE, timeoutMs: 20_000 });
    assert.equal(
      r.stdout.split(FETCHING_STAGING)[0],
      [
        'Directory endpoints:',
        "0) Let's Encrypt V2 (https://acme-v02.api.letsencrypt.org/directory)",
        `1) Let's Encrypt V2 Staging (${STAGING})`,
        '2) ZeroSSL (https://acme.zerossl.com/v2/DV90)',
        '3) Google Trust Services (https://dv.acme-v02.api.pki.goog/directory)',
        '4) Google Trust Services Staging (https://dv.acme-v02.test-api.pki.goog/directory)',
        '5) Custom',
        'Enter selection: ',
        '',
        '',
      ].join('\n'),
    );
    assert.ok(r.stdout.includes(FETCHING_STAGING), r.stdout);
  });

  test('on a terminal the menu shows the same numbers and the key 1 picks Let\'s Encrypt V2 Staging', async () => {
    const r = await runCliPty(
      ['--config-dir', dir, 'acme', 'account', 'register', 'menu', 'm@example.com'],
      [
        { expect: '5) Custom', send: `1${KEY.enter}` },
        { expect: FETCHING_STAGING, send: KEY.ctrlC },
      ],
      { env: OFFLINE, timeoutMs: 20_000 },
    );
    assert.match(r.output, /  0\) Let's Encrypt V2 \(https:\/\/acme-v02\.api\.letsencrypt\.org\/directory\)\n  1\) Let's Encrypt V2 Staging/);
    assert.ok(r.output.includes(FETCHING_STAGING), r.output);
  });

  test('--directory takes an id; an unknown id lists the known ones', async () => {
    const r = await runCli(['acme', 'account', 'register', 'byid', 'b@example.com', '--directory', 'letsencrypt-staging'], { configDir: dir, env: OFFLINE, timeoutMs: 20_000 });
    assert.ok(r.stdout.includes(FETCHING_STAGING), r.stdout);
    assert.match(r.stderr, /^ERROR: unable to read CA bundle '\/nonexistent\/ca-bundle\.pem' \(CERTNODE_CA_BUNDLE\)/);
    const bad = await runCli(['acme', 'account', 'register', 'byid', 'b@example.com', '--directory', 'buypass'], { configDir: dir });
    assert.equal(bad.code, 255);
    assert.equal(
      bad.stderr,
      "ERROR: directory: unknown directory 'buypass' - use one of letsencrypt, letsencrypt-staging, zerossl, google, google-staging or an http(s):// URL (see 'certnode acme directories')\nUSAGE: certnode acme account register [<name>] <contact> [OPTIONS]\n",
    );
  });

  test('Ctrl-C in a prompt: exit 130, "interrupted", no internal error', async () => {
    const r = await runCliPty(['--config-dir', dir, 'acme', 'account', 'register', 'menu', 'm@example.com'], [{ expect: '5) Custom', send: KEY.ctrlC }], { timeoutMs: 20_000 });
    assert.equal(r.code, 130, r.output);
    assert.match(r.output, /ERROR: interrupted\n$/);
    assert.doesNotMatch(r.output, /internal error/);
  });

  test('LANG=C: the prompt draws ASCII only', async () => {
    const r = await runCliPty(['--config-dir', dir, 'acme', 'account', 'register', 'menu', 'm@example.com'], [{ expect: '5) Custom', send: KEY.ctrlC }], {
      env: { LANG: 'C' },
      timeoutMs: 20_000,
    });
    assert.equal(r.code, 130, r.output);
    // eslint-disable-next-line no-control-regex
    const visible = r.output.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
    assert.match(visible, /^Directory endpoints:\n\? Enter selection/);
    assert.doesNotMatch(visible, /[^\x00-\x7f]/, 'only ASCII on the screen');
  });
});

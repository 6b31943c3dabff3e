// On a terminal, `acme plugin add dns` without --data asks for the fields the script documents.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { KEY, runCliPty } from '../helpers/pty.ts';

test('plugin add dns on a TTY: prompts per field, the secret is not echoed, an optional field may stay empty', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await runCliPty(
      ['acme', 'plugin', 'add', 'dns', 'cfp', '--api', 'cf'],
      [
        { expect: 'CF_Token', send: `tok-123 secret${KEY.enter}` },
        { expect: 'CF_Account_ID (optional)', send: KEY.enter },
      ],
      { env: { CERTNODE_CONFIG_DIR: dir } },
    );
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, /tok-123 secret/, 'the token is masked on the screen');
    const cfg = await runCli(['acme', 'plugin', 'config', 'cfp', '--output-format', 'json'], { configDir: dir });
    assert.equal(JSON.parse(cfg.stdout).data, 'CF_Token=tok-123 secret\n');
  } finally {
    cleanup();
  }
});

test('plugin add dns without a TTY and without --data asks nothing', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const r = await runCli(['acme', 'plugin', 'add', 'dns', 'cfq', '--api', 'cf'], { configDir: dir, timeoutMs: 10_000 });
    assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    const cfg = await runCli(['acme', 'plugin', 'config', 'cfq', '--output-format', 'json'], { configDir: dir });
    assert.equal(JSON.parse(cfg.stdout).data, undefined);
  } finally {
    cleanup();
  }
});

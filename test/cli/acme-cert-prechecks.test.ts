// acme cert order/renew/revoke refuse before any task starts when the node is not ready.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';

test('order without an account: one line saying how to create it, nothing printed before', async () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.equal((await runCli(['config', 'set', '--acme', 'domains=a.example.com,account=prod'], { configDir: dir })).code, 0);
    const r = await runCli(['acme', 'cert', 'order'], { configDir: dir });
    assert.deepEqual(r, {
      code: 255,
      stdout: '',
      stderr: "ERROR: ACME account config file 'prod' does not exist. - register it first: certnode acme account register prod <email>\n",
    });
  } finally {
    cleanup();
  }
});

test('renew and revoke with only the self-signed default installed', async () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.equal((await runCli(['cert', 'update'], { configDir: dir })).code, 0);
    for (const verb of ['renew', 'revoke']) {
      const r = await runCli(['acme', 'cert', verb], { configDir: dir });
      assert.deepEqual(r, { code: 255, stdout: '', stderr: 'ERROR: No current (custom) certificate found, please order a new certificate!\n' }, verb);
    }
  } finally {
    cleanup();
  }
});

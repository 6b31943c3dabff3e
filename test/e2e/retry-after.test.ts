// Retry-After for real: Pebble 2.10 configured with retryAfter asks clients to wait on processing
// orders (and authorizations). certnode honours it, says so in the task log, and waits at most
// 30 s at once (every phase still bounded by its timeout). Pebble sends Retry-After as seconds or
// as an HTTP date at random, hence the ranges.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { startPebble, type Pebble } from '../helpers/pebble.ts';

async function order(pebble: Pebble, names: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { dir, cleanup } = tempDir();
  try {
    const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 120_000 });
    for (const step of [
      ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
      ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1'],
      ['config', 'set', '--acme', `domains=${names.join(';')}`],
    ]) {
      const r = await run(step);
      assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
    }
    return await run(['acme', 'cert', 'order']);
  } finally {
    cleanup();
  }
}

test('retryAfter authz 3 s, order 5 s: an order of two names succeeds and reports the wait it honoured', async () => {
  const pebble = await startPebble({ authzReuse: 0, nonceReject: 0, retryAfter: { authz: 3, order: 5 } });
  try {
    const r = await order(pebble, ['ra1.example.test', 'ra2.example.test']);
    assert.equal(r.code, 0, r.stdout + r.stderr + pebble.log());
    assert.match(r.stdout, /\nOrder is ready, finalizing order\nThe CA asks to wait [45] s before looking again \(Retry-After\)\nvalid!\n/);
    assert.match(r.stdout, /Task OK\n$/);
  } finally {
    await pebble.stop();
  }
});

test('retryAfter order 45 s: certnode waits 30 s at most at once, says so, and the order succeeds', async () => {
  const pebble = await startPebble({ authzReuse: 0, nonceReject: 0, retryAfter: { authz: 0, order: 45 } });
  try {
    const r = await order(pebble, ['ra3.example.test']);
    assert.equal(r.code, 0, r.stdout + r.stderr + pebble.log());
    assert.match(r.stdout, /\nThe CA asks to wait 4[45] s before looking again \(Retry-After\) - waiting 30 s, the most certnode waits at once\nvalid!\n/);
  } finally {
    await pebble.stop();
  }
});

// badNonce: with Pebble rejecting half of all nonces (PEBBLE_WFE_NONCEREJECT=50), orders still
// succeed: each rejected request is retried with the fresh nonce of its rejection, up to
// MAX_BAD_NONCE_RETRIES times (0.5^21 < 1e-6 per request).

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const ORDERS = 20;
const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 50 });
const { dir, cleanup } = tempDir();
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  cleanup();
});

test(
  `${ORDERS} orders in a row succeed while Pebble rejects 50 % of nonces`,
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 120_000 });
    for (const step of [
      ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
      ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1'],
    ]) {
      const r = await run(step);
      assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
    }
    for (let i = 0; i < ORDERS; i++) {
      const name = `n${i}.nonce.example.test`;
      assert.equal((await run(['config', 'set', '--acme', `domains=${name}`])).code, 0);
      const r = await run(['acme', 'cert', 'order', '--force']);
      assert.equal(r.code, 0, `order ${i}: ${r.stdout}${r.stderr}`);
      const cert = new X509Certificate(readFileSync(join(dir, 'certs', 'certnode.pem'), 'utf8'));
      assert.equal(cert.subjectAltName, `DNS:${name}`, `order ${i}`);
    }
  }),
);

// badNonce: with Pebble rejecting half of all nonces (PEBBLE_WFE_NONCEREJECT=50), orders still
// succeed: each rejected request is retried with the fresh nonce of its rejection, up to
// MAX_BAD_NONCE_RETRIES times (0.5^21 < 1e-6 per request).

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { pebbleForFile } from '../helpers/pebble.ts';

const ORDERS = 20;
const { fixture, dir } = pebbleForFile({ authzReuse: 0, nonceReject: 50 });

test(
  `${ORDERS} orders in a row succeed while Pebble rejects 50 % of nonces`,
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 120_000 });
    await fixture.provision(dir);
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

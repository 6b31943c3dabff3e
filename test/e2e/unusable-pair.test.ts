// acme cert renew with an installed pair the service cannot use (the daily timer's case): it is
// due, the task says why in one line, and a new ACME certificate replaces it.

import assert from 'node:assert/strict';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { pebbleForFile } from '../helpers/pebble.ts';

const { fixture, dir } = pebbleForFile({ authzReuse: 0, nonceReject: 0 });

test(
  'renew: an empty or garbage certificate file is due, says so, and is replaced',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 120_000 });
    await fixture.provision(dir, { domains: 'broken.example.test' });
    const certFile = join(dir, 'certs', 'certnode.pem');
    const keyFile = join(dir, 'certs', 'certnode.key');
    for (const [content, reason] of [
      ['', 'the file is empty'],
      ['garbage\n', 'not a valid PEM-formatted string.'],
    ] as const) {
      writeFileSync(certFile, content);
      const info = await run(['cert', 'info']);
      assert.equal(info.code, 255);
      assert.equal(info.stderr, `ERROR: unable to read installed certificate '${certFile}' - ${reason}\n`);
      const r = await run(['acme', 'cert', 'renew']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.split('\n')[0], `The installed certificate cannot be used ('${certFile}': ${reason}), ordering a new one`);
      assert.match(r.stdout, /\nTask OK\n$/);
      const cert = new X509Certificate(readFileSync(certFile, 'utf8'));
      assert.equal(cert.subjectAltName, 'DNS:broken.example.test');
      assert.ok(cert.publicKey.export({ type: 'spki', format: 'der' }).equals(createPublicKey(readFileSync(keyFile, 'utf8')).export({ type: 'spki', format: 'der' })));
    }
  }),
);

// CERTNODE_CA_BUNDLE: the one TLS context of a process trusts the bundle and NODE_EXTRA_CA_CERTS
// on top of Node's default store, against real TLS servers with throw-away CAs (openssl).

import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tls from 'node:tls';
import { makeTlsFiles } from '#pebble';
import { trustedSecureContext } from '../../src/core/acme/trust.ts';
import { tempDir } from '../helpers/cli.ts';

/** A TLS server with a certificate from its own throw-away CA; its port and CA file. */
async function server(dir: string): Promise<{ port: number; caFile: string; close: () => Promise<void> }> {
  mkdirSync(dir);
  const files = makeTlsFiles(dir);
  const s = tls.createServer({ cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) }, (socket) => socket.end('hello'));
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as { port: number }).port, caFile: files.caFile, close: () => new Promise((r) => s.close(() => r())) };
}

/** Whether a client with `secureContext` accepts the server's certificate. */
function trusts(port: number, secureContext: tls.SecureContext | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tls.connect({ port, host: '127.0.0.1', ...(secureContext ? { secureContext } : {}) }, () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

test('trustedSecureContext: none without CERTNODE_CA_BUNDLE; with it the bundle and NODE_EXTRA_CA_CERTS are trusted, one context per process', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const bundled = await server(join(dir, 'a'));
  const extra = await server(join(dir, 'b'));
  const stranger = await server(join(dir, 'c'));
  t.after(() => Promise.all([bundled.close(), extra.close(), stranger.close()]));

  assert.equal(trustedSecureContext({}), undefined);
  assert.equal(await trusts(bundled.port, undefined), false, 'control: Node alone does not trust the throw-away CA');
  const env = { CERTNODE_CA_BUNDLE: bundled.caFile, NODE_EXTRA_CA_CERTS: extra.caFile };
  const context = trustedSecureContext(env);
  assert.equal(await trusts(bundled.port, context), true);
  assert.equal(await trusts(extra.port, context), true);
  assert.equal(await trusts(stranger.port, context), false, 'a CA in neither file is not trusted');
  assert.equal(trustedSecureContext({ ...env }), context, 'built once for the same files');
  assert.equal(await trusts(extra.port, trustedSecureContext({ CERTNODE_CA_BUNDLE: bundled.caFile })), false, 'without NODE_EXTRA_CA_CERTS in the env: only the bundle');
  assert.equal(await trusts(bundled.port, undefined), false, "the default store is not changed by a bundle context's additions");
  assert.throws(() => trustedSecureContext({ CERTNODE_CA_BUNDLE: join(dir, 'missing.pem') }), /^CliError: unable to read CA bundle '.*missing\.pem' \(CERTNODE_CA_BUNDLE\)/);
});

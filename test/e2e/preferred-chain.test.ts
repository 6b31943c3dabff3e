// acme: preferred-chain against a Pebble that offers an alternate chain (PEBBLE_ALTERNATE_ROOTS).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { startPebble, type Pebble } from '../helpers/pebble.ts';
import { topIssuerCommonName } from '../../src/core/acme/order.ts';
import { linkTargets } from '../../src/core/acme/client.ts';

let pebble: Pebble;
const cleanups: (() => void)[] = [];
before(async () => {
  pebble = await startPebble({ authzReuse: 0, nonceReject: 0, alternateRoots: 1 });
});
after(async () => {
  await pebble.stop();
  for (const c of cleanups) c();
});

const commonName = (pem: string): string => /^CN=(.*)$/m.exec(new X509Certificate(pem).subject)![1]!;

async function orderWith(preferred: string, name: string): Promise<{ dir: string; out: { code: number | null; stdout: string; stderr: string } }> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 60_000 });
  for (const args of [
    ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
    ['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1'],
    ['config', 'set', '--acme', `domains=${name},preferred-chain=${preferred}`],
  ]) {
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
  }
  return { dir, out: await run(['acme', 'cert', 'order']) };
}

test('the alternate chain whose root has the preferred common name is installed, and verifies against that root', async () => {
  const alternateRoot = await pebble.root(1);
  const preferred = commonName(alternateRoot);
  assert.notEqual(preferred, commonName(await pebble.root(0)));
  const { dir, out } = await orderWith(preferred, 'alt.chain.example.test');
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, new RegExp(`Using the alternate chain to '${preferred}'\\nInstalling certificate and key\\nTask OK\\n$`));
  const certFile = join(dir, 'certs', 'certnode.pem');
  assert.equal(topIssuerCommonName(readFileSync(certFile, 'utf8')), preferred);
  writeFileSync(join(dir, 'root1.pem'), alternateRoot);
  writeFileSync(join(dir, 'intermediate1.pem'), await pebble.intermediate(1));
  const verify = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'root1.pem'), '-untrusted', join(dir, 'intermediate1.pem'), certFile], { encoding: 'utf8' });
  assert.equal(verify.status, 0, verify.stdout + verify.stderr);
});

test('a preferred chain the CA does not offer: the default chain, with a warning', async () => {
  const { dir, out } = await orderWith('No Such Root', 'default.chain.example.test');
  assert.equal(out.code, 0, out.stdout + out.stderr);
  assert.match(out.stdout, /Preferred chain 'No Such Root' is not offered by the CA \(chains to: 'Pebble Root CA \w+', 'Pebble Root CA \w+'\); using the default chain\nInstalling certificate and key\nTask WARNINGS: 1\n$/);
  assert.equal(topIssuerCommonName(readFileSync(join(dir, 'certs', 'certnode.pem'), 'utf8')), commonName(await pebble.root(0)));
});

test('Link header parsing: several alternates, other relations ignored, relative URLs resolved', () => {
  const header = '<https://ca.example/cert/1/alternate/1>;rel="alternate", <https://ca.example/dir>;rel="index", </cert/1/alternate/2>; rel=alternate';
  assert.deepEqual(linkTargets(header, 'alternate', 'https://ca.example/cert/1'), ['https://ca.example/cert/1/alternate/1', 'https://ca.example/cert/1/alternate/2']);
  assert.deepEqual(linkTargets(undefined, 'alternate', 'https://ca.example/'), []);
});

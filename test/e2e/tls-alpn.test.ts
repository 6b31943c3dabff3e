// tls-alpn-01 (RFC 8737) end to end: Pebble 2.10 validates over its tlsPort, connecting to the
// standalone plugin's TLS listener (challenge=tls-alpn-01), which is closed after the order.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { spawn } from 'node:child_process';
import { BIN, baseEnv, runCli, tempDir } from '../helpers/cli.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void)[] = [];
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

async function assertPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

test(
  'an order of a DNS name and an IP address validated by Pebble over tls-alpn-01; the listener is closed afterwards',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 60_000 });
    for (const step of [
      ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
      ['acme', 'plugin', 'set', 'standalone', '--challenge', 'tls-alpn-01', '--port', String(pebble.tlsPort), '--address', '127.0.0.1'],
      ['config', 'set', '--acme', 'domains=alpn.example.test;127.0.0.1'],
    ]) {
      const r = await run(step);
      assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
    }
    const plugin = JSON.parse((await run(['--output-format', 'json', 'acme', 'plugin', 'config', 'standalone'])).stdout) as Record<string, unknown>;
    assert.equal(plugin.challenge, 'tls-alpn-01');

    const r = await run(['acme', 'cert', 'order']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`\\nSetting up tls-alpn-01 responder on 127\\.0\\.0\\.1:${pebble.tlsPort}\\n`));
    assert.doesNotMatch(r.stdout, /Setting up webserver/);
    assert.match(r.stdout, /Status is 'valid', domain 'alpn\.example\.test' OK!/);
    assert.match(r.stdout, /Status is 'valid', domain '127\.0\.0\.1' OK!/);
    assert.match(r.stdout, /Task OK\n$/);
    assert.doesNotMatch(pebble.log(), /Attempting to validate w\/ HTTP/, 'Pebble validated over TLS (it logs only its http-01 attempts)');
    const cert = new X509Certificate(readFileSync(join(dir, 'certs', 'certnode.pem')));
    assert.deepEqual((cert.subjectAltName ?? '').split(', ').sort(), ['DNS:alpn.example.test', 'IP Address:127.0.0.1']);
    await assertPortFree(pebble.tlsPort);
  }),
);

test(
  'SIGINT while Pebble validates over tls-alpn-01: exit 130 and the TLS listener is closed',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const ourPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const run = (args: string[]) => runCli(args, { configDir: dir, env: pebble.env, timeoutMs: 60_000 });
    for (const step of [
      ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
      // Pebble validates on its tlsPort, where a server accepts and never answers: the order keeps waiting
      ['acme', 'plugin', 'set', 'standalone', '--challenge', 'tls-alpn-01', '--port', String(ourPort), '--address', '127.0.0.1'],
      ['config', 'set', '--acme', 'domains=alpn-int.example.test'],
    ]) {
      const r = await run(step);
      assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
    }
    const held = new Set<import('node:net').Socket>();
    const silent = createServer((socket) => {
      held.add(socket);
    });
    await new Promise<void>((resolve) => silent.listen(pebble.tlsPort, '127.0.0.1', resolve));
    try {
      const child = spawn(process.execPath, [BIN, 'acme', 'cert', 'order'], { env: { ...baseEnv(pebble.env), CERTNODE_CONFIG_DIR: dir } });
      let stdout = '';
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no 'Triggering validation' within 30 s: ${stdout}`)), 30_000);
        child.stdout.setEncoding('utf8').on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('Triggering validation')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.match(stdout, new RegExp(`Setting up tls-alpn-01 responder on 127\\.0\\.0\\.1:${ourPort}\\n`));
      await new Promise((r) => setTimeout(r, 300));
      child.kill('SIGINT');
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([exited, new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), 30_000)))]);
      clearTimeout(timer);
      assert.equal(code, 130, `exit ${code}\n${stdout}\n${stderr}`);
      assert.equal(stderr, 'Task ERROR: interrupted by SIGINT\n');
      await assertPortFree(ourPort);
    } finally {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }),
);

test('plugin set --challenge refuses anything but http-01 and tls-alpn-01, and only for standalone plugins', async () => {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  const bad = await runCli(['acme', 'plugin', 'set', 'standalone', '--challenge', 'dns-01'], { configDir: dir });
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /^ERROR: challenge: value 'dns-01' does not have a value in the enumeration 'http-01, tls-alpn-01'\n/);
});

// Every way an order can end early or lose its terminal, against a real Pebble (DNS through
// pebble-challtestsrv): signals during a script call and during a wait, stdout closed by
// `| head -1`, a strict umask, a disabled plugin. After each: no TXT record, the port is free.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BIN, baseEnv } from '../helpers/cli.ts';
import { testNode, type TestNode } from '../helpers/node.ts';
import { txtAt } from '../helpers/dns-server.ts';
import { assertPortFree } from '../helpers/net.ts';
import { freePort, pebbleFixture, type Pebble } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void)[] = [];
const TOKEN = 'tok-secret-exits-0042';

before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

const txt = (pebble: Pebble, name: string): Promise<string[]> => txtAt(pebble.challtestsrv.dnsAddr, name);

/** A config dir with an account, a dns plugin through challtestsrv (extra data lines) and the standalone plugin. */
const node = (pebble: Pebble, dataExtra = '', pluginExtra: string[] = []): Promise<TestNode> =>
  testNode(pebble, {
    cleanups,
    plugins: [{ id: 'chall', api: 'certnodetest', data: `CERTNODETEST_URL=${pebble.challtestsrv.managementUrl}\nCERTNODETEST_TOKEN=${TOKEN}\n${dataExtra}`, extra: pluginExtra }],
    timeoutMs: 60_000,
  });

/** Starts an order, waits for a stdout line matching `when`, sends `signal`; resolves with the outcome. */
async function interruptOrder(n: TestNode, when: RegExp, signal: NodeJS.Signals): Promise<{ code: number | null; stdout: string; stderr: string; afterSignalMs: number }> {
  const child = spawn(process.execPath, [BIN, 'acme', 'cert', 'order'], { env: baseEnv({ ...n.env, CERTNODE_CONFIG_DIR: n.dir }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  await new Promise<void>((resolve) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (when.test(stdout)) resolve();
    });
    child.on('close', () => resolve());
  });
  const signalled = Date.now();
  child.kill(signal);
  const code = await exited;
  clearTimeout(killer);
  return { code, stdout, stderr, afterSignalMs: Date.now() - signalled };
}

const NO_TRACE = /\n\s+at |internal error|EPIPE|EIO/;

describe('orders that end early or lose their terminal', () => {
  test(
    'one SIGINT while a script sits in its add (record already set): killed at once, the record removed, exit 130',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, 'CERTNODETEST_SLEEP=60\n');
      await n.ok(['config', 'set', '--acmedomain0', 'domain=sigint.exits.test,plugin=chall']);
      const r = await interruptOrder(n, /Sleeping 60 s\n/, 'SIGINT');
      assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
      assert.ok(r.afterSignalMs < 2000, `ended ${r.afterSignalMs} ms after SIGINT`);
      assert.match(r.stdout, /^Remove TXT record: _acme-challenge\.sigint\.exits\.test$/m);
      assert.match(r.stderr, /^Task ERROR: interrupted by SIGINT/m);
      assert.deepEqual(await txt(pebble, '_acme-challenge.sigint.exits.test'), []);
      assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN));
    }),
  );

  test(
    'SIGHUP (a closed SSH session) during the propagation wait: exit 129, records removed, the http-01 port free',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, '', ['--propagation', 'sleep']);
      await n.ok(['acme', 'plugin', 'set', 'chall', '--validation-delay', '60']);
      const port = await freePort();
      await n.ok(['acme', 'plugin', 'set', 'standalone', '--port', String(port), '--address', '127.0.0.1']);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=hup.exits.test,plugin=chall', '--acmedomain1', 'domain=web.exits.test']);
      const r = await interruptOrder(n, /Sleeping 60 seconds to wait for TXT record propagation\n/, 'SIGHUP');
      assert.equal(r.code, 129, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Setting up webserver on 127\\.0\\.0\\.1:${port}$`, 'm'));
      assert.match(r.stdout, /^Remove TXT record: _acme-challenge\.hup\.exits\.test$/m);
      assert.deepEqual(await txt(pebble, '_acme-challenge.hup.exits.test'), []);
      await assertPortFree(port);
    }),
  );

  for (const kind of ['dns-01', 'http-01'] as const) {
    test(
      `order | head -1 (${kind}): the order completes, the certificate is installed, nothing left, no stack trace`,
      fixture.withLogs(async () => {
        const pebble = fixture.get();
        const n = await node(pebble);
        const name = `head-${kind.replace('-', '')}.exits.test`;
        await n.ok(['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1']);
        await n.ok(['config', 'set', '--acmedomain0', kind === 'dns-01' ? `domain=${name},plugin=chall` : `domain=${name}`]);
        const r = await n.runWith(['acme', 'cert', 'order'], { pipe: 'head -1' });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'Loading ACME account details\n');
        assert.doesNotMatch(r.stderr, NO_TRACE);
        assert.equal(r.stderr, '');
        const info = await n.ok(['--output-format', 'json', 'cert', 'info']);
        assert.ok(info.stdout.includes(name), info.stdout);
        assert.deepEqual(await txt(pebble, `_acme-challenge.${name}`), []);
      }),
    );
  }

  test(
    'under umask 077 with TMPDIR a 0700 directory, a dns-01 order succeeds',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble);
      const tmp = join(n.dir, 'private-tmp');
      mkdirSync(tmp);
      chmodSync(tmp, 0o700);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=umask.exits.test,plugin=chall']);
      const r = await n.runWith(['acme', 'cert', 'order'], { umask: '077', env: { TMPDIR: tmp } });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /\nTask OK\n$/);
      assert.deepEqual(await txt(pebble, '_acme-challenge.umask.exits.test'), []);
      assert.ok(existsSync(join(n.dir, 'certs', 'certnode.pem')));
    }),
  );

  test(
    'a disabled plugin: the order fails before any request reaches the CA, naming the plugin and the setting',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, '', ['--disable', '1']);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=disabled.exits.test,plugin=chall']);
      const before = await pebble.requestCount();
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 255);
      assert.match(r.stderr, /^Task ERROR: plugin 'chall' \(for domain 'disabled\.exits\.test'\) is disabled \('disable' is set in plugins\.cfg\) - enable it with 'certnode acme plugin set chall --disable 0', or choose another plugin$/m);
      assert.equal(await pebble.requestCount(), before, 'no request reached the CA');
    }),
  );

  test(
    'a busy standalone port fails before the order is placed',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble);
      const blocker = createServer();
      const port = await freePort();
      await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
      try {
        await n.ok(['acme', 'plugin', 'set', 'standalone', '--port', String(port), '--address', '127.0.0.1']);
        await n.ok(['config', 'set', '--acme', 'domains=busy.exits.test']);
        const before = await pebble.requestCount();
        const r = await n.run(['acme', 'cert', 'order']);
        assert.equal(r.code, 255);
        assert.match(r.stderr, new RegExp(`Task ERROR: standalone plugin 'standalone': port ${port} on 127\\.0\\.0\\.1 is already in use`));
        assert.doesNotMatch(r.stdout, /Placing ACME order/);
        assert.equal(await pebble.requestCount(), before, 'no request reached the CA');
      } finally {
        blocker.close();
      }
    }),
  );
});

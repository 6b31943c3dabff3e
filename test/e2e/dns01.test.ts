// dns-01 orders against a real Pebble that resolves through pebble-challtestsrv, with test
// dnsapi scripts that set the TXT records through challtestsrv's management API.
// Every test asserts through challtestsrv's DNS server that no record is left behind.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { BIN, baseEnv, type RunResult } from '../helpers/cli.ts';
import { testNode, type DnsPluginSpec, type TestNode } from '../helpers/node.ts';
import { txtAt } from '../helpers/dns-server.ts';
import { freePort, pebbleFixture, type Pebble } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const cleanups: (() => void)[] = [];
const TOKEN = 'tok-secret-4711-challtest';
const STASH_SECRET = 'stash-secret-0815-value';

before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

const txt = (pebble: Pebble, name: string): Promise<string[]> => txtAt(pebble.challtestsrv.dnsAddr, name);

/** A config dir with a registered account, the standalone plugin on Pebble's http port, and DNS plugins. */
const node = (pebble: Pebble, plugins: DnsPluginSpec[]): Promise<TestNode> => testNode(pebble, { cleanups, plugins, timeoutMs: 60_000 });

const challData = (pebble: Pebble) => `CERTNODETEST_URL=${pebble.challtestsrv.managementUrl}\nCERTNODETEST_TOKEN=${TOKEN}\n`;
const stashData = (pebble: Pebble) => `STASH_URL=${pebble.challtestsrv.managementUrl}\nSTASH_SECRET=${STASH_SECRET}\n`;

function assertNoSecrets(r: RunResult): void {
  for (const secret of [TOKEN, STASH_SECRET, 'supersecret-fail-token']) {
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `credential ${secret} leaked:\n${r.stdout}\n${r.stderr}`);
  }
}

/** Lines of the task log that match, in order. */
function indexOf(out: string, line: RegExp): number {
  const i = out.split('\n').findIndex((l) => line.test(l));
  assert.notEqual(i, -1, `no line matching ${line} in:\n${out}`);
  return i;
}

describe('dns-01 orders', () => {
  test(
    'example.test and *.example.test: two values on one name, both checked on the resolver before validation, all gone afterwards',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, [{ id: 'chall', api: 'certnodetest', data: challData(pebble) }]);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=example.test,plugin=chall', '--acmedomain1', 'domain=*.example.test,plugin=chall']);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const out = r.stdout;
      // apex and wildcard set values on the same name: their lines say which is which
      assert.equal(out.match(/^Add TXT record: _acme-challenge\.example\.test$/gm)?.length, 1, out);
      assert.equal(out.match(/^Add TXT record: _acme-challenge\.example\.test \(for \*\.example\.test\)$/gm)?.length, 1, out);
      assert.equal(out.match(/^Checking TXT record propagation of _acme-challenge\.example\.test( \(for \*\.example\.test\))? on 127\.0\.0\.1:\d+ \(CERTNODE_DNS_RESOLVERS\), up to 10 s$/gm)?.length, 2, out);
      const visible = indexOf(out, /^TXT record for _acme-challenge\.example\.test visible on the name server$/);
      assert.ok(visible < indexOf(out, /^Triggering validation$/));
      assert.ok(indexOf(out, /^TXT record for _acme-challenge\.example\.test \(for \*\.example\.test\) visible on the name server$/) < indexOf(out, /^Triggering validation$/));
      assert.equal(out.match(/^Remove TXT record: _acme-challenge\.example\.test( \(for \*\.example\.test\))?$/gm)?.length, 2, out);
      assert.match(out, /Status is 'valid', domain '\*\.example\.test' OK!/);
      assert.match(out, /\nTask OK\n$/);
      assert.doesNotMatch(out, /Sleeping/);
      assertNoSecrets(r);
      assert.deepEqual(await txt(pebble, '_acme-challenge.example.test'), []);
      const info = await n.ok(['--output-format', 'json', 'cert', 'info']);
      assert.match(info.stdout, /\*\.example\.test/);
    }),
  );

  test(
    'alias: the record goes to _acme-challenge.<alias>, the CA follows the CNAME; the log names the domain',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const mgmt = pebble.challtestsrv.managementUrl;
      const cname = await fetch(`${mgmt}/set-cname`, { method: 'POST', body: JSON.stringify({ host: '_acme-challenge.www.alias.test.', target: '_acme-challenge.delegated.example.net.' }) });
      assert.equal(cname.status, 200);
      try {
        const n = await node(pebble, [{ id: 'chall', api: 'certnodetest', data: challData(pebble) }]);
        await n.ok(['config', 'set', '--acmedomain0', 'domain=www.alias.test,alias=delegated.example.net,plugin=chall']);
        const r = await n.run(['acme', 'cert', 'order']);
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        assert.match(r.stdout, /^Add TXT record: _acme-challenge\.www\.alias\.test \(alias: _acme-challenge\.delegated\.example\.net\)$/m);
        assert.match(r.stdout, /^TXT record for _acme-challenge\.delegated\.example\.net visible on the name server$/m);
        assert.match(r.stdout, /^Remove TXT record: _acme-challenge\.www\.alias\.test$/m);
        assert.match(r.stdout, /\nTask OK\n$/);
        assert.deepEqual(await txt(pebble, '_acme-challenge.delegated.example.net'), []);
      } finally {
        await fetch(`${mgmt}/clear-cname`, { method: 'POST', body: JSON.stringify({ host: '_acme-challenge.www.alias.test.' }) });
      }
    }),
  );

  test(
    'one certificate from http-01 (standalone) and two DNS plugins; the stash plugin finds its saved state at rm',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, [
        { id: 'chall', api: 'certnodetest', data: challData(pebble) },
        { id: 'stash', api: 'certnodestash', data: stashData(pebble) },
      ]);
      await n.ok(['config', 'set', '--acme', 'domains=web.mixed.test', '--acmedomain0', 'domain=a.mixed.test,plugin=chall', '--acmedomain1', 'domain=b.mixed.test,plugin=stash']);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      const out = r.stdout;
      assert.match(out, /^Setting up webserver on 127\.0\.0\.1:\d+$/m);
      assert.match(out, /^Add TXT record: _acme-challenge\.a\.mixed\.test$/m);
      assert.match(out, /^Add TXT record: _acme-challenge\.b\.mixed\.test$/m);
      assert.match(out, /^ +\S.*created record='stash-[0-9a-f]{10}'/m);
      assert.match(out, /^ +\S.*deleting record='stash-[0-9a-f]{10}'/m);
      assert.match(out, /^Remove TXT record: _acme-challenge\.a\.mixed\.test$/m);
      assert.match(out, /^Remove TXT record: _acme-challenge\.b\.mixed\.test$/m);
      for (const name of ['web', 'a', 'b']) assert.match(out, new RegExp(`Status is 'valid', domain '${name}\\.mixed\\.test' OK!`));
      assert.match(out, /\nTask OK\n$/);
      assert.match(out, /Adding record with secret \*\*\*/);
      assertNoSecrets(r);
      assert.deepEqual(await txt(pebble, '_acme-challenge.a.mixed.test'), []);
      assert.deepEqual(await txt(pebble, '_acme-challenge.b.mixed.test'), []);
    }),
  );

  test(
    'a server that never serves the value: a warning after validation-delay, validation is triggered anyway',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, [{ id: 'chall', api: 'certnodetest', data: challData(pebble) }]);
      await n.ok(['acme', 'plugin', 'set', 'chall', '--validation-delay', '2']);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=late.example.test,plugin=chall']);
      // a second "name server" that does not answer at all
      const dead = `127.0.0.1:${await freePort()}`;
      const started = Date.now();
      const r = await n.run(['acme', 'cert', 'order'], { CERTNODE_DNS_RESOLVERS: `${pebble.challtestsrv.dnsAddr},${dead}` });
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      assert.ok(Date.now() - started < 20_000);
      const warning = indexOf(r.stdout, new RegExp(`^TXT record for _acme-challenge\\.late\\.example\\.test not visible on ${dead.replace(/\./g, '\\.')} \\(\\w+\\) after 2 s \\(plugin 'chall' validation-delay\\) - triggering validation anyway, the CA may still see it$`));
      assert.ok(warning < indexOf(r.stdout, /^Triggering validation$/));
      assert.match(r.stdout, /Status is 'valid', domain 'late\.example\.test' OK!/);
      assert.match(r.stdout, /\nTask WARNINGS: 1\n$/);
      assert.deepEqual(await txt(pebble, '_acme-challenge.late.example.test'), []);
    }),
  );

  test(
    'a hanging script is killed at the timeout; the other name is torn down; the order fails cleanly',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, [
        { id: 'chall', api: 'certnodetest', data: challData(pebble) },
        { id: 'hang', api: 'certnodehang', data: 'HANG_SECONDS=60\n' },
      ]);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=ok.hang.test,plugin=chall', '--acmedomain1', 'domain=slow.hang.test,plugin=hang']);
      const started = Date.now();
      const r = await n.run(['acme', 'cert', 'order'], { CERTNODE_DNS_SCRIPT_TIMEOUT: '2' });
      assert.equal(r.code, 255, r.stdout);
      assert.ok(Date.now() - started < 20_000, 'the order must not wait for the hanging script');
      assert.match(r.stderr, /^Task ERROR: domain 'slow\.hang\.test': DNS plugin 'hang' \(dns_certnodehang\.sh\) setup timed out after 2 s$/m);
      assert.match(r.stdout, /^Remove TXT record: _acme-challenge\.ok\.hang\.test$/m);
      assert.match(r.stdout, /^Remove TXT record: _acme-challenge\.slow\.hang\.test$/m);
      assert.doesNotMatch(r.stdout, /Triggering validation/);
      assert.deepEqual(await txt(pebble, '_acme-challenge.ok.hang.test'), []);
      assertNoSecrets(r);
    }),
  );

  test(
    'a script that exits 1 fails the order with its stderr; credentials masked; the other record is removed',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, [
        { id: 'chall', api: 'certnodetest', data: challData(pebble) },
        { id: 'failing', api: 'certnodefail', data: 'FAIL_TOKEN=supersecret-fail-token\n' },
      ]);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=ok.fail.test,plugin=chall', '--acmedomain1', 'domain=bad.fail.test,plugin=failing']);
      const r = await n.run(['acme', 'cert', 'order']);
      assert.equal(r.code, 255, r.stdout);
      assert.match(r.stderr, /^Task ERROR: domain 'bad\.fail\.test': DNS plugin 'failing' \(dns_certnodefail\.sh\) setup failed with exit code 1: .*Error add txt for domain:_acme-challenge\.bad\.fail\.test\nstderr:\n {4}provider said: invalid token \*\*\*$/m);
      assert.match(r.stdout, /^ +provider said: invalid token \*\*\*$/m);
      assert.match(r.stdout, /^Remove TXT record: _acme-challenge\.ok\.fail\.test$/m);
      // its own rm fails too: a warning, not a second error
      assert.match(r.stdout, /^Failed to teardown plugin 'failing' for domain 'bad\.fail\.test' - DNS plugin 'failing' \(dns_certnodefail\.sh\) teardown failed with exit code 1/m);
      assertNoSecrets(r);
      assert.deepEqual(await txt(pebble, '_acme-challenge.ok.fail.test'), []);
    }),
  );

  test(
    'propagation=sleep prints the Proxmox line; SIGTERM during the wait still removes the record',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const n = await node(pebble, [{ id: 'chall', api: 'certnodetest', data: challData(pebble), extra: ['--propagation', 'sleep'] }]);
      await n.ok(['acme', 'plugin', 'set', 'chall', '--validation-delay', '60']);
      await n.ok(['config', 'set', '--acmedomain0', 'domain=sig.example.test,plugin=chall']);
      const child = spawn(process.execPath, [BIN, 'acme', 'cert', 'order'], { env: baseEnv({ ...n.env, CERTNODE_CONFIG_DIR: n.dir }), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: string) => {
          stdout += d;
          if (stdout.includes('Sleeping 60 seconds to wait for TXT record propagation\n')) resolve();
        });
        child.on('close', () => resolve());
      });
      assert.deepEqual(await txt(pebble, '_acme-challenge.sig.example.test').then((v) => v.length), 1, stdout);
      const signalled = Date.now();
      child.kill('SIGTERM');
      const code = await exited;
      clearTimeout(timer);
      assert.ok(Date.now() - signalled < 10_000);
      assert.equal(code, 143, 'ended by SIGTERM: 128 + 15');
      assert.match(stdout, /^Remove TXT record: _acme-challenge\.sig\.example\.test$/m);
      assert.match(stderr, /Task ERROR: interrupted by SIGTERM/);
      assert.deepEqual(await txt(pebble, '_acme-challenge.sig.example.test'), []);
    }),
  );
});

// dns-01 through a real RFC 2136 server: BIND 9 on a loopback port with a TSIG key, Pebble
// resolving through it, and a test dnsapi script that uses nsupdate.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findAuthoritativeServers, systemDnsLookup, waitForPropagation } from '../../src/core/challenge/propagation.ts';
import { startBind, type Bind } from '../helpers/bind.ts';
import { runCli, tempDir } from '../helpers/cli.ts';
import { startPebble, type Pebble } from '../helpers/pebble.ts';

let bind: Bind;
let pebble: Pebble;
const cleanups: (() => void)[] = [];

before(async () => {
  bind = await startBind('rfc2136.test');
  pebble = await startPebble({ authzReuse: 0, nonceReject: 0, dnsServer: bind.addr });
});
after(async () => {
  await pebble?.stop();
  await bind?.stop();
  for (const cleanup of cleanups) cleanup();
});

function withLogs(fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof Error) err.message += `\n--- named ---\n${bind.log().split('\n').slice(-60).join('\n')}\n--- pebble ---\n${pebble.log().split('\n').slice(-40).join('\n')}`;
      throw err;
    }
  };
}

describe('RFC 2136 (BIND + nsupdate)', () => {
  test(
    'the SOA/NS walk finds the zone and its server, follows a CNAME, and sees a value once nsupdate added it',
    withLogs(async () => {
      const lookup = systemDnsLookup([bind.addr]);
      const found = await findAuthoritativeServers('_acme-challenge.www.rfc2136.test', lookup, bind.port);
      assert.deepEqual(found, { name: '_acme-challenge.www.rfc2136.test', zone: 'rfc2136.test', nameServers: ['ns.rfc2136.test'], servers: [bind.addr] });

      bind.update(['update add _acme-challenge.alias.rfc2136.test. 60 IN CNAME _acme-challenge.target.rfc2136.test.']);
      const viaCname = await findAuthoritativeServers('_acme-challenge.alias.rfc2136.test', lookup, bind.port);
      assert.equal(viaCname.name, '_acme-challenge.target.rfc2136.test');

      const wait = (value: string, timeoutMs: number) =>
        waitForPropagation({ lookup, servers: found.servers, name: '_acme-challenge.walk.rfc2136.test', value, timeoutMs, intervalMs: 100, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), now: Date.now });
      const initially = await wait('walk-value', 0);
      assert.equal(initially.visible, false);
      assert.deepEqual(initially.missing, [{ server: bind.addr, values: [] }]);
      setTimeout(() => bind.update(['update add _acme-challenge.walk.rfc2136.test. 60 IN TXT "walk-value"']), 300);
      const seen = await wait('walk-value', 5000);
      assert.equal(seen.visible, true);
      assert.ok(seen.checks > 1, 'polled until the value appeared');
    }),
  );

  test(
    'order rfc2136.test + *.rfc2136.test: records seen on BIND before validation; each teardown deletes only its own value',
    withLogs(async () => {
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      const env = { ...pebble.env, CERTNODE_DNS_RESOLVERS: bind.addr };
      const run = (args: string[]) => runCli(args, { configDir: dir, env, timeoutMs: 60_000 });
      const ok = async (args: string[]) => {
        const r = await run(args);
        assert.equal(r.code, 0, `certnode ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
        return r;
      };
      // a value that is not ours: it must survive the order
      bind.update(['update add _acme-challenge.rfc2136.test. 60 IN TXT "keep-me"']);
      const data = join(dir, 'nsupdate.data');
      writeFileSync(data, `NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=${bind.port}\nNSUPDATE_KEY=${bind.keyFile}\nNSUPDATE_ZONE=rfc2136.test\n`);
      await ok(['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos']);
      await ok(['acme', 'plugin', 'add', 'dns', 'bind', '--api', 'certnodensupdate', '--data', data, '--validation-delay', '10']);
      await ok(['config', 'set', '--acmedomain0', 'domain=rfc2136.test,plugin=bind', '--acmedomain1', 'domain=*.rfc2136.test,plugin=bind']);

      const r = await ok(['acme', 'cert', 'order']);
      const lines = r.stdout.split('\n');
      const trigger = lines.indexOf('Triggering validation');
      const seen = lines.flatMap((l, i) => (/^TXT record for _acme-challenge\.rfc2136\.test( \(for \*\.rfc2136\.test\))? visible on the name server$/.test(l) ? [i] : []));
      assert.equal(seen.length, 2, r.stdout);
      assert.ok(trigger > Math.max(...seen), r.stdout);
      assert.equal(r.stdout.match(/^Checking TXT record propagation of _acme-challenge\.rfc2136\.test( \(for \*\.rfc2136\.test\))? on 127\.0\.0\.1:\d+ \(CERTNODE_DNS_RESOLVERS\), up to 10 s$/gm)?.length, 2);
      assert.equal(r.stdout.match(/^Remove TXT record: _acme-challenge\.rfc2136\.test( \(for \*\.rfc2136\.test\))?$/gm)?.length, 2);
      assert.match(r.stdout, /Status is 'valid', domain '\*\.rfc2136\.test' OK!/);
      assert.match(r.stdout, /\nTask OK\n$/);
      // the admin sees server, port and zone; never the TSIG secret from inside the key file
      assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1.*${bind.port}|${bind.port}.*127\\.0\\.0\\.1`));
      assert.match(r.stdout, /rfc2136\.test/);
      assert.ok(!r.stdout.includes(bind.secret) && !r.stderr.includes(bind.secret), 'the TSIG secret never appears');
      assert.deepEqual(await bind.txt('_acme-challenge.rfc2136.test'), ['keep-me']);
    }),
  );

  test(
    'acme plugin test: add, propagation, remove and gone, each timed, no CA involved; a wrong key fails with the script error',
    withLogs(async () => {
      // a fresh config dir with no account at all: the test cannot be talking to a CA
      const { dir, cleanup } = tempDir();
      cleanups.push(cleanup);
      const env = { CERTNODE_DNS_RESOLVERS: bind.addr };
      const run = (args: string[]) => runCli(args, { configDir: dir, env, timeoutMs: 60_000 });
      const data = join(dir, 'nsupdate.data');
      writeFileSync(data, `NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=${bind.port}\nNSUPDATE_KEY=${bind.keyFile}\nNSUPDATE_ZONE=rfc2136.test\n`);
      assert.equal((await run(['acme', 'plugin', 'add', 'dns', 'bind', '--api', 'certnodensupdate', '--data', data, '--validation-delay', '10'])).code, 0);

      const r = await run(['acme', 'plugin', 'test', 'bind', 'try.rfc2136.test']);
      assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      for (const step of ['add', 'propagation', 'remove', 'gone']) assert.match(r.stdout, new RegExp(`^Step ${step}: OK \\(\\d+\\.\\d\\d s\\) - `, 'm'));
      assert.match(r.stdout, /\nTask OK\n$/);
      assert.ok(!r.stdout.includes(bind.secret));
      assert.deepEqual(await bind.txt('_acme-challenge.try.rfc2136.test'), []);

      const json = await run(['--output-format', 'json', 'acme', 'plugin', 'test', 'bind', 'try.rfc2136.test']);
      assert.equal(json.code, 0, json.stderr);
      const result = JSON.parse(json.stdout) as { ok: boolean; record: string; steps: { step: string; ok: boolean; seconds: number }[] };
      assert.equal(result.ok, true);
      assert.equal(result.record, '_acme-challenge.try.rfc2136.test');
      assert.deepEqual(result.steps.map((s) => [s.step, s.ok, typeof s.seconds]), [['add', true, 'number'], ['propagation', true, 'number'], ['remove', true, 'number'], ['gone', true, 'number']]);

      // the wrong secret: nsupdate's refusal is the error, nothing is left
      const wrongKey = join(dir, 'wrong.key');
      writeFileSync(wrongKey, `key "${bind.keyName}" {\n  algorithm hmac-sha256;\n  secret "${Buffer.alloc(32, 7).toString('base64')}";\n};\n`, { mode: 0o600 });
      writeFileSync(data, `NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=${bind.port}\nNSUPDATE_KEY=${wrongKey}\nNSUPDATE_ZONE=rfc2136.test\n`);
      assert.equal((await run(['acme', 'plugin', 'set', 'bind', '--data', data])).code, 0);
      const bad = await run(['--output-format', 'json', 'acme', 'plugin', 'test', 'bind', 'try.rfc2136.test']);
      assert.equal(bad.code, 255);
      assert.match(bad.stderr, /^Task ERROR: plugin 'bind' failed the test at step 'add': domain 'try\.rfc2136\.test': DNS plugin 'bind' \(dns_certnodensupdate\.sh\) setup failed with exit code \d+/m);
      assert.match(bad.stderr, /tsig|NOTAUTH|BADSIG|BADKEY|REFUSED/i);
      assert.deepEqual((JSON.parse(bad.stdout) as { ok: boolean; steps: { step: string; ok: boolean }[] }).steps.map((s) => [s.step, s.ok]), [['add', false], ['remove', false]]);
      assert.deepEqual(await bind.txt('_acme-challenge.try.rfc2136.test'), []);
    }),
  );
});

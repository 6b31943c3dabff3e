// dns-account-01 and dns-persist-01 against Pebble 2.10 resolving through a real BIND 9, with the
// nsupdate test script as the dns plugin.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { accountLabel } from '../../src/core/challenge/dns-methods.ts';
import { startBind, type Bind } from '../helpers/bind.ts';
import { testNode, type TestNode } from '../helpers/node.ts';
import { withServerLogs } from '../helpers/dns-server.ts';
import { startMockChallengeFilter } from '../helpers/mock-challenge-filter.ts';
import { startPebble, type Pebble } from '../helpers/pebble.ts';

let bind: Bind;
let pebble: Pebble;
const cleanups: (() => void)[] = [];

before(async () => {
  bind = await startBind('methods.test');
  pebble = await startPebble({ authzReuse: 0, nonceReject: 0, dnsServer: bind.addr });
});
after(async () => {
  await pebble?.stop();
  await bind?.stop();
  for (const cleanup of cleanups) cleanup();
});

const withLogs = (fn: () => Promise<void>) => withServerLogs(() => ({ named: bind.log(), pebble: pebble.log() }), fn);

type Node = TestNode & { accountUrl(): string };

/** A config dir with its own account (as another node would have) and the nsupdate plugin 'bind'. */
async function node(directoryUrl = pebble.directoryUrl): Promise<Node> {
  const n = await testNode(pebble, {
    cleanups,
    directoryUrl,
    standalone: false,
    plugins: [{ id: 'bind', api: 'certnodensupdate', data: `NSUPDATE_SERVER=127.0.0.1\nNSUPDATE_SERVER_PORT=${bind.port}\nNSUPDATE_KEY=${bind.keyFile}\nNSUPDATE_ZONE=${bind.zone}\n` }],
    env: { CERTNODE_DNS_RESOLVERS: bind.addr },
    timeoutMs: 90_000,
  });
  return { ...n, accountUrl: () => (JSON.parse(readFileSync(n.accountFile, 'utf8')) as { location: string }).location };
}

describe('dns-account-01', () => {
  test(
    'apex + wildcard: the records go to the account label name, Pebble validates, nothing is left',
    withLogs(async () => {
      const n = await node();
      await n.ok(['config', 'set', '--acmedomain0', 'domain=acct.methods.test,plugin=bind,challenge=dns-account-01', '--acmedomain1', 'domain=*.acct.methods.test,plugin=bind,challenge=dns-account-01']);
      const record = `_${accountLabel(n.accountUrl())}._acme-challenge.acct.methods.test`;
      assert.match(record, /^_[a-z2-7]{16}\._acme-challenge\./);
      const r = await n.ok(['acme', 'cert', 'order']);
      assert.match(r.stdout, new RegExp(`^Add TXT record: ${record.replace(/\./g, '\\.')}$`, 'm'));
      assert.match(r.stdout, new RegExp(`^Add TXT record: ${record.replace(/\./g, '\\.')} \\(for \\*\\.acct\\.methods\\.test\\)$`, 'm'));
      assert.match(r.stdout, /Status is 'valid', domain '\*\.acct\.methods\.test' OK!/);
      assert.match(r.stdout, /\nTask OK\n$/);
      assert.deepEqual(await bind.txt(record), []);
      assert.deepEqual(await bind.txt('_acme-challenge.acct.methods.test'), [], 'nothing at the dns-01 name');
    }),
  );

  test(
    'two accounts (two nodes) order the same names at the same time: both succeed',
    withLogs(async () => {
      const [a, b] = [await node(), await node()];
      for (const n of [a, b]) await n.ok(['config', 'set', '--acmedomain0', 'domain=shared.methods.test,plugin=bind,challenge=dns-account-01', '--acmedomain1', 'domain=*.shared.methods.test,plugin=bind,challenge=dns-account-01']);
      assert.notEqual(accountLabel(a.accountUrl()), accountLabel(b.accountUrl()));
      const [ra, rb] = await Promise.all([a.run(['acme', 'cert', 'order']), b.run(['acme', 'cert', 'order'])]);
      for (const r of [ra, rb]) assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
      for (const n of [a, b]) assert.deepEqual(await bind.txt(`_${accountLabel(n.accountUrl())}._acme-challenge.shared.methods.test`), []);
    }),
  );
});

describe('dns-persist-01', () => {
  test(
    'persist-record --apply publishes once; orders then run no script and leave the record; --remove ends it',
    withLogs(async () => {
      const n = await node();
      await n.ok(['config', 'set', '--acmedomain0', 'domain=persist.methods.test,plugin=bind,challenge=dns-persist-01', '--acmedomain1', 'domain=*.persist.methods.test,plugin=bind,challenge=dns-persist-01']);
      const record = '_validation-persist.persist.methods.test';
      const value = `pebble.letsencrypt.org; accounturi=${n.accountUrl()}; policy=wildcard`;

      const shown = await n.ok(['--output-format', 'json', 'acme', 'cert', 'persist-record']);
      assert.deepEqual(JSON.parse(shown.stdout), [{ domains: 'persist.methods.test, *.persist.methods.test', plugin: 'bind', published: 'no', record, value }]);

      const applied = await n.ok(['acme', 'cert', 'persist-record', '--apply']);
      assert.match(applied.stdout, new RegExp(`^TXT record for ${record.replace(/\./g, '\\.')} visible on the name server$`, 'm'));
      assert.deepEqual(await bind.txt(record), [value]);

      // from now on the plugin's script would fail if it ran: orders must not run it
      await n.ok(['acme', 'plugin', 'set', 'bind', '--api', 'certnodefail']);
      for (let i = 1; i <= 3; i++) {
        const r = await n.run(['acme', 'cert', 'order', '--force']);
        assert.equal(r.code, 0, `order ${i}:\n${r.stdout}\n${r.stderr}`);
        assert.doesNotMatch(r.stdout, /Add TXT record|Remove TXT record|^ {4}/m, 'no script ran');
        // (Pebble reuses a valid authorization 1 % of the time even with PEBBLE_AUTHZREUSE=0)
        assert.match(r.stdout, /Status is 'valid', domain '\*\.persist\.methods\.test' OK!|^\*\.persist\.methods\.test is already validated!$/m);
        assert.deepEqual(await bind.txt(record), [value], 'the record stays');
      }

      // cert info and renew --check say which names renew without a DNS change
      const info = JSON.parse((await n.ok(['--output-format', 'json', 'cert', 'info'])).stdout) as Record<string, unknown>[];
      assert.equal(info.find((c) => c.role === 'installed')!['dns-persist-01'], 'persist.methods.test, *.persist.methods.test');
      const check = await n.ok(['acme', 'cert', 'renew', '--check']);
      assert.match(check.stdout, /^Validated through dns-persist-01 records \(no DNS change at renewal; 'certnode acme cert persist-record' shows them\): persist\.methods\.test, \*\.persist\.methods\.test$/m);

      await n.ok(['acme', 'plugin', 'set', 'bind', '--api', 'certnodensupdate']);
      await n.ok(['acme', 'cert', 'persist-record', '--remove']);
      assert.deepEqual(await bind.txt(record), []);
      await n.ok(['acme', 'plugin', 'set', 'bind', '--validation-delay', '2']);
      const r = await n.run(['acme', 'cert', 'order', '--force']);
      assert.equal(r.code, 255);
      assert.match(r.stderr, new RegExp(`^Task ERROR: domain '\\*?\\.?persist\\.methods\\.test' \\(dns-persist-01\\): no TXT record at ${record.replace(/\./g, '\\.')} authorizes this account .*; publish ${record.replace(/\./g, '\\.')} TXT "`, 'm'));
    }),
  );

  test(
    'a name validated only by dns-persist-01 needs no dns plugin at all',
    withLogs(async () => {
      const n = await node();
      await n.ok(['config', 'set', '--acmedomain0', 'domain=noplugin.methods.test,challenge=dns-persist-01']);
      const record = '_validation-persist.noplugin.methods.test';
      bind.update([`update add ${record}. 60 IN TXT "pebble.letsencrypt.org; accounturi=${n.accountUrl()}"`]);
      const r = await n.ok(['acme', 'cert', 'order']);
      assert.match(r.stdout, /Status is 'valid', domain 'noplugin\.methods\.test' OK!/);
      const shown = await n.ok(['--output-format', 'json', 'acme', 'cert', 'persist-record']);
      assert.equal((JSON.parse(shown.stdout) as { published: string }[])[0]!.published, 'yes');
      const apply = await n.run(['acme', 'cert', 'persist-record', '--apply']);
      assert.equal(apply.code, 255);
      assert.match(apply.stderr, /no dns plugin is configured for noplugin\.methods\.test - publish the record by hand: _validation-persist\.noplugin\.methods\.test TXT "/);
    }),
  );
});

describe('a method the CA does not offer', () => {
  test(
    'fails before any record is touched, naming what the CA offers (mock CA without dns-account-01 and dns-persist-01)',
    withLogs(async () => {
      const mock = await startMockChallengeFilter(pebble, ['dns-account-01', 'dns-persist-01']);
      try {
        const n = await node(mock.directoryUrl);
        await n.ok(['config', 'set', '--acmedomain0', 'domain=offer.methods.test,plugin=bind', '--acmedomain1', 'domain=new.methods.test,plugin=bind,challenge=dns-account-01']);
        const r = await n.run(['acme', 'cert', 'order']);
        assert.equal(r.code, 255);
        assert.match(r.stderr, /^Task ERROR: domain 'new\.methods\.test': the CA does not offer dns-account-01 for it \(it offers: dns-01, http-01, tls-alpn-01\) - nothing was changed; choose one of those with 'challenge=' in acmedomain1$/m);
        assert.doesNotMatch(r.stdout, /Add TXT record|^ {4}/m, 'no script ran, not even for the other name');
        // a fallback by preference takes what is offered
        await n.ok(['config', 'set', '--acmedomain1', 'domain=new.methods.test,plugin=bind,challenge=dns-account-01|dns-01']);
        const fallback = await n.ok(['acme', 'cert', 'order']);
        assert.match(fallback.stdout, /^Add TXT record: _acme-challenge\.new\.methods\.test$/m);
      } finally {
        await mock.stop();
      }
    }),
  );
});

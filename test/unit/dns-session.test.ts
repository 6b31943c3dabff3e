// The dns-01 side of ChallengeSession with a real fixture script (dns_certnodestate, no network)
// and a fake DNS: which wait it chooses (check, sleep, fallback) and what it logs.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Context } from '../../src/context.ts';
import { encodePluginData, type PluginSection } from '../../src/core/config/plugins-cfg.ts';
import { ChallengeSession, type ChallengeTask } from '../../src/core/challenge/session.ts';
import type { DnsLookup } from '../../src/core/challenge/propagation.ts';
import { configPaths } from '../../src/core/paths.ts';
import { DNSAPI_FIXTURES } from '../helpers/cli.ts';

const TXT = 'XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs';
const configDir = mkdtempSync(join(tmpdir(), 'certnode-session-'));
after(() => rmSync(configDir, { recursive: true, force: true }));

function setup(props: Record<string, string>, lookup: DnsLookup, env: Record<string, string> = {}) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  let now = 0;
  const ctx = {
    env: { CERTNODE_DNSAPI_DIR: DNSAPI_FIXTURES, ...env },
    now: () => new Date(now),
    sleep: async () => undefined,
    onInterrupt: () => () => undefined,
  } as unknown as Context;
  const log = { info: (t: string) => lines.push(t), warn: (t: string) => lines.push(`WARN ${t}`) };
  const session = new ChallengeSession(log, {
    ctx,
    paths: configPaths(configDir),
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    dnsLookup: lookup,
    signal: new AbortController().signal,
    teardownSignal: new AbortController().signal,
  });
  const plugin: PluginSection = {
    type: 'dns',
    id: 'st',
    props: new Map(Object.entries({ api: 'certnodestate', data: encodePluginData('STATE_API_KEY=key-1234567\n'), ...props })),
  };
  const task: ChallengeTask = {
    name: '*.www.example.test',
    domain: { domain: '*.www.example.test', kind: 'wildcard', plugin: 'st', alias: undefined, source: 'acmedomain0' },
    plugin,
    type: 'dns-01',
    token: 'tok',
    keyAuthorization: TXT,
  };
  return { session, task, lines, sleeps, steps: () => lines.filter((l) => !l.startsWith('    ')) };
}

const zone = (visibleAfterChecks: number): DnsLookup & { txtCalls: number } => {
  const dns = {
    txtCalls: 0,
    ns: async (name: string) => (name === 'example.test' ? ['ns1.example.test', 'ns2.example.test'] : Promise.reject(Object.assign(new Error('x'), { code: 'ENODATA' }))),
    cname: async () => [],
    addresses: async (host: string) => (host === 'ns1.example.test' ? ['192.0.2.1'] : ['2001:db8::2']),
    txt: async () => (++dns.txtCalls > visibleAfterChecks * 2 ? ['other', TXT] : ['other']),
  };
  return dns;
};

describe('dns-01 session', () => {
  test('check: finds the authoritative servers, polls every 2 s, logs PVE lines and tears down', async () => {
    const dns = zone(2);
    const { session, task, steps, sleeps, lines } = setup({ 'validation-delay': '20' }, dns);
    await session.presentAll([task], [task.name]);
    await session.cleanup();
    assert.deepEqual(steps(), [
      'Add TXT record: _acme-challenge.www.example.test (for *.www.example.test)',
      'Checking TXT record propagation of _acme-challenge.www.example.test (for *.www.example.test) on ns1.example.test, ns2.example.test (zone example.test), up to 20 s',
      'TXT record for _acme-challenge.www.example.test (for *.www.example.test) visible on all 2 name servers',
      'Remove TXT record: _acme-challenge.www.example.test (for *.www.example.test)',
    ]);
    assert.deepEqual(sleeps, [2000, 2000]);
    assert.ok(lines.some((l) => /^ {4}.*key in use: \*\*\*$/.test(l)), 'script output indented and masked');
  });

  test('no zone found: a warning, then the fixed sleep of validation-delay', async () => {
    const none: DnsLookup = { ns: async () => [], cname: async () => [], addresses: async () => [], txt: async () => [] };
    const { session, task, steps, sleeps } = setup({ 'validation-delay': '7' }, none);
    await session.presentAll([task], [task.name]);
    await session.cleanup();
    assert.match(steps()[1]!, /^WARN cannot find the authoritative name servers of _acme-challenge\.www\.example\.test: no zone with NS records found above/);
    assert.equal(steps()[2], 'Sleeping 7 seconds to wait for TXT record propagation');
    assert.deepEqual(sleeps, [7000]);
  });

  test('propagation=sleep: Proxmox line and sleep, no DNS queries; default validation-delay 30', async () => {
    const dns = zone(0);
    const { session, task, steps, sleeps } = setup({ propagation: 'sleep' }, dns);
    await session.presentAll([task], [task.name]);
    await session.cleanup();
    assert.deepEqual(steps(), [
      'Add TXT record: _acme-challenge.www.example.test (for *.www.example.test)',
      'Sleeping 30 seconds to wait for TXT record propagation',
      'Remove TXT record: _acme-challenge.www.example.test (for *.www.example.test)',
    ]);
    assert.deepEqual(sleeps, [30000]);
    assert.equal(dns.txtCalls, 0);
  });

  test('CERTNODE_DNS_RESOLVERS: exactly those servers, no discovery', async () => {
    const dns = zone(0);
    dns.ns = async () => assert.fail('no discovery with CERTNODE_DNS_RESOLVERS');
    const { session, task, steps } = setup({ 'validation-delay': '5' }, dns, { CERTNODE_DNS_RESOLVERS: '127.0.0.1:5353' });
    await session.presentAll([task], [task.name]);
    await session.cleanup();
    assert.equal(steps()[1], 'Checking TXT record propagation of _acme-challenge.www.example.test (for *.www.example.test) on 127.0.0.1:5353 (CERTNODE_DNS_RESOLVERS), up to 5 s');
  });

  test('a slow propagation says what it waits for at least every 10 s', async () => {
    const dns = zone(12);
    const { session, task, steps } = setup({ 'validation-delay': '60' }, dns);
    await session.presentAll([task], [task.name]);
    await session.cleanup();
    const waiting = steps().filter((l) => l.startsWith('Waiting for TXT record'));
    assert.deepEqual(waiting, [
      'Waiting for TXT record _acme-challenge.www.example.test (for *.www.example.test): not yet on 192.0.2.1:53, [2001:db8::2]:53 - 10 s of 60 s',
      'Waiting for TXT record _acme-challenge.www.example.test (for *.www.example.test): not yet on 192.0.2.1:53, [2001:db8::2]:53 - 20 s of 60 s',
    ]);
  });

  test('script calls never overlap: adds one after another in the configured order, then removes in the same order', async () => {
    const { session, task, lines } = setup({ api: 'certnodeseq', data: encodePluginData('SEQ_PAUSE=0.2\n'), propagation: 'sleep', 'validation-delay': '0' }, zone(0));
    const names = ['c.example.test', '*.c.example.test', 'b.example.test'];
    const tasks = names.map((name, i) => ({ ...task, name, keyAuthorization: `value${i}`, domain: { ...task.domain, domain: name } }));
    // handed over in another order than configured (as the CA lists authorizations)
    await session.presentAll([tasks[2]!, tasks[0]!, tasks[1]!], names);
    await session.cleanup();
    const calls = lines.filter((l) => /^ {4}(begin|end) /.test(l)).map((l) => l.trim());
    assert.deepEqual(calls, [
      'begin add _acme-challenge.c.example.test value0',
      'end add _acme-challenge.c.example.test value0',
      'begin add _acme-challenge.c.example.test value1',
      'end add _acme-challenge.c.example.test value1',
      'begin add _acme-challenge.b.example.test value2',
      'end add _acme-challenge.b.example.test value2',
      'begin rm _acme-challenge.c.example.test value0',
      'end rm _acme-challenge.c.example.test value0',
      'begin rm _acme-challenge.c.example.test value1',
      'end rm _acme-challenge.c.example.test value1',
      'begin rm _acme-challenge.b.example.test value2',
      'end rm _acme-challenge.b.example.test value2',
    ]);
  });
});

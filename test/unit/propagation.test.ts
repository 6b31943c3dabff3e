// The propagation check's pure parts: which servers (SOA/NS walk, CNAME, resolver list) and
// whether every one serves our value, with a fake DNS and a fake clock.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findAuthoritativeServers, nameAndParents, parseResolverList, serversMissing, waitForPropagation, type DnsLookup } from '../../src/core/challenge/propagation.ts';

function notFound(): never {
  throw Object.assign(new Error('queryX ENOTFOUND'), { code: 'ENOTFOUND' });
}

function fakeDns(zone: { ns: Record<string, string[]>; cname?: Record<string, string>; addr: Record<string, string[]>; txt?: Record<string, Record<string, string[]>> }): DnsLookup & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    ns: async (name) => {
      asked.push(`NS ${name}`);
      return zone.ns[name] ?? notFound();
    },
    cname: async (name) => (zone.cname?.[name] ? [zone.cname[name]] : notFound()),
    addresses: async (host) => zone.addr[host] ?? [],
    txt: async (name, server) => {
      const values = zone.txt?.[server]?.[name];
      if (values === undefined) throw Object.assign(new Error('ENODATA'), { code: 'ENODATA' });
      return values;
    },
  };
}

describe('resolver list', () => {
  test('host:port pairs, default port 53, IPv6 in brackets', () => {
    assert.deepEqual(parseResolverList('127.0.0.1:5353, 10.0.0.1,[::1]:53,::2'), ['127.0.0.1:5353', '10.0.0.1:53', '[::1]:53', '[::2]:53']);
  });
  test('names and bad ports are refused, with the variable named', () => {
    assert.throws(() => parseResolverList('ns1.example.com:53'), /CERTNODE_DNS_RESOLVERS.*not an IP address|not an IP address/);
    assert.throws(() => parseResolverList('127.0.0.1:99999'), /bad port/);
    assert.throws(() => parseResolverList(' , '), /no DNS servers/);
  });
});

describe('authoritative servers', () => {
  test('walks up to the zone apex and asks every NS address (IPv4 and IPv6) on port 53', async () => {
    const dns = fakeDns({ ns: { 'example.com': ['b.ns.example.', 'a.ns.example.'] }, addr: { 'a.ns.example': ['192.0.2.1', '2001:db8::1'], 'b.ns.example': ['192.0.2.2'] } });
    const found = await findAuthoritativeServers('_acme-challenge.www.example.com', dns);
    assert.deepEqual(found, {
      name: '_acme-challenge.www.example.com',
      zone: 'example.com',
      nameServers: ['a.ns.example', 'b.ns.example'],
      servers: ['192.0.2.1:53', '[2001:db8::1]:53', '192.0.2.2:53'],
    });
    assert.deepEqual(dns.asked, ['NS _acme-challenge.www.example.com', 'NS www.example.com', 'NS example.com']);
  });

  test("follows the CNAME of _acme-challenge.<name> to the delegated zone (alias setups)", async () => {
    const dns = fakeDns({
      ns: { 'example.com': ['ns.example.com'], 'acme.example.net': ['ns.acme.example.net'] },
      cname: { '_acme-challenge.www.example.com': '_acme-challenge.www.acme.example.net.' },
      addr: { 'ns.example.com': ['192.0.2.1'], 'ns.acme.example.net': ['198.51.100.7'] },
    });
    const found = await findAuthoritativeServers('_acme-challenge.www.example.com', dns);
    assert.equal(found.name, '_acme-challenge.www.acme.example.net');
    assert.equal(found.zone, 'acme.example.net');
    assert.deepEqual(found.servers, ['198.51.100.7:53']);
  });

  test('no zone, or name servers without addresses, is an error (the caller falls back to sleeping)', async () => {
    await assert.rejects(findAuthoritativeServers('_acme-challenge.x.invalid', fakeDns({ ns: {}, addr: {} })), /no zone with NS records/);
    await assert.rejects(findAuthoritativeServers('_acme-challenge.x.example', fakeDns({ ns: { example: ['ns.nowhere'] }, addr: {} })), /has an address/);
  });

  test('nameAndParents', () => {
    assert.deepEqual(nameAndParents('a.b.c.'), ['a.b.c', 'b.c', 'c']);
  });
});

describe('waiting for the value', () => {
  test('our value among others counts; a server with an error or without it is missing', () => {
    const missing = serversMissing(
      [
        { server: 'a:53', values: ['other', 'ours'] },
        { server: 'b:53', values: ['other'] },
        { server: 'c:53', error: 'ETIMEOUT' },
      ],
      'ours',
    );
    assert.deepEqual(missing.map((m) => m.server), ['b:53', 'c:53']);
  });

  test('first check at once, then every 2 s until every server has it', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const txt: Record<string, Record<string, string[]>> = { 'a:53': { n: ['ours'] }, 'b:53': { n: [] } };
    const dns = fakeDns({ ns: {}, addr: {}, txt });
    const result = await waitForPropagation({
      lookup: dns,
      servers: ['a:53', 'b:53'],
      name: 'n',
      value: 'ours',
      timeoutMs: 30_000,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        if (now >= 6000) txt['b:53'] = { n: ['old', 'ours'] };
      },
      now: () => now,
    });
    assert.deepEqual(result, { visible: true, missing: [], checks: 4 });
    assert.deepEqual(sleeps, [2000, 2000, 2000]);
  });

  test('validation-delay bounds the wait; the result says which servers never had it', async () => {
    let now = 0;
    const dns = fakeDns({ ns: {}, addr: {}, txt: { 'a:53': { n: ['ours'] } } });
    const result = await waitForPropagation({ lookup: dns, servers: ['a:53', 'b:53'], name: 'n', value: 'ours', timeoutMs: 5000, sleep: async (ms) => void (now += ms), now: () => now });
    assert.equal(result.visible, false);
    assert.equal(now, 5000);
    assert.deepEqual(result.missing, [{ server: 'b:53', values: [] }]);
  });
});

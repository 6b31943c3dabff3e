// Record names and values of dns-01, dns-account-01 and dns-persist-01 (pure), and the
// challenge= setting.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { accountLabel, dnsRecordName, persistValue, persistValueAuthorizes } from '../../src/core/challenge/dns-methods.ts';
import { checkDomainValue, parseChallengeChoice } from '../../src/core/config/node.ts';
import { UsageError } from '../../src/core/errors.ts';

const ACCOUNT = 'https://ca.example/acme/acct/123';

describe('dns-account-01 label', () => {
  test('lower-case base32 of the first 10 bytes of sha256(account URL): 16 characters', () => {
    // computed independently: RFC 4648 base32 of those 80 bits
    const bits = [...createHash('sha256').update(ACCOUNT).digest().subarray(0, 10)].map((b) => b.toString(2).padStart(8, '0')).join('');
    const expected = bits.match(/.{5}/g)!.map((chunk) => 'abcdefghijklmnopqrstuvwxyz234567'[parseInt(chunk, 2)]).join('');
    assert.equal(accountLabel(ACCOUNT), expected);
    assert.match(accountLabel(ACCOUNT), /^[a-z2-7]{16}$/);
    assert.notEqual(accountLabel(ACCOUNT), accountLabel(`${ACCOUNT}4`));
  });

  test('record names per method; a wildcard uses its base name', () => {
    assert.equal(dnsRecordName('dns-01', '*.Example.com', ACCOUNT), '_acme-challenge.example.com');
    assert.equal(dnsRecordName('dns-account-01', 'www.example.com', ACCOUNT), `_${accountLabel(ACCOUNT)}._acme-challenge.www.example.com`);
    assert.equal(dnsRecordName('dns-persist-01', '*.example.com.', ACCOUNT), '_validation-persist.example.com');
  });
});

describe('dns-persist-01 values', () => {
  const want = { issuers: ['letsencrypt.org'], accountUri: ACCOUNT, wildcard: false, now: new Date('2026-11-28T00:00:00Z') };
  test('what certnode publishes authorizes, wildcard only with policy=wildcard', () => {
    assert.equal(persistValue({ issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: true }), `letsencrypt.org; accounturi=${ACCOUNT}; policy=wildcard`);
    assert.ok(persistValueAuthorizes(persistValue({ issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: false }), want));
    assert.ok(!persistValueAuthorizes(persistValue({ issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: false }), { ...want, wildcard: true }));
    assert.ok(persistValueAuthorizes(persistValue({ issuer: 'letsencrypt.org', accountUri: ACCOUNT, wildcard: true }), { ...want, wildcard: true }));
  });
  test('other issuers, accounts, malformed values and a past persistUntil do not', () => {
    for (const value of [
      `other.ca; accounturi=${ACCOUNT}`,
      `letsencrypt.org; accounturi=${ACCOUNT}9`,
      'letsencrypt.org',
      `letsencrypt.org; accounturi`,
      `letsencrypt.org; accounturi=${ACCOUNT}; persistUntil=1700000000`,
      `letsencrypt.org; accounturi=${ACCOUNT}; persistUntil=soon`,
      '',
    ]) assert.equal(persistValueAuthorizes(value, want), false, value);
    assert.ok(persistValueAuthorizes(`  letsencrypt.org ;AccountURI=${ACCOUNT} ; persistuntil=1900000000`, want), 'spaces and tag case do not matter');
  });
});

describe('challenge= in acmedomainN', () => {
  test('known methods by preference, each once', () => {
    assert.deepEqual(parseChallengeChoice('dns-account-01|DNS-01', 'acmedomain0'), ['dns-account-01', 'dns-01']);
    for (const bad of ['http-01', 'dns-01|dns-01', '', 'dns-01|', 'dns-01,dns-account-01']) assert.throws(() => parseChallengeChoice(bad, 'acmedomain0'), UsageError, bad);
    assert.throws(() => checkDomainValue('a.example,plugin=bind,challenge=tls-alpn-01', 'acmedomain3'), /acmedomain3: challenge 'tls-alpn-01' is not one of dns-01, dns-account-01, dns-persist-01/);
  });
});

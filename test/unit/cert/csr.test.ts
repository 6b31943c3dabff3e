import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { createCsr, ipAddressBytes } from '../../../src/core/cert/csr.ts';
import { generatePrivateKey } from '../../../src/core/cert/key-material.ts';
import { KEY_TYPES } from '../../../src/core/cert/keys.ts';

/** openssl's reading of a DER CSR: the signature check and the text dump. */
function openssl(der: Buffer): { verified: boolean; text: string; pubkey: string } {
  const r = spawnSync('openssl', ['req', '-inform', 'DER', '-verify', '-noout', '-text', '-pubkey'], { input: der, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { verified: /verify OK|Certificate request self-signature verify OK/.test(r.stdout + r.stderr), text: r.stdout, pubkey: /-----BEGIN PUBLIC KEY-----[^-]+-----END PUBLIC KEY-----/.exec(r.stdout)?.[0] ?? '' };
}

const IDENTIFIERS = [
  { type: 'dns', value: 'pve.example.com' },
  { type: 'dns', value: '*.example.com' },
  { type: 'ip', value: '192.0.2.7' },
  { type: 'ip', value: '2001:db8::1' },
  { type: 'ip', value: '::ffff:198.51.100.2' },
] as const;

for (const type of KEY_TYPES) {
  test(`createCsr (${type}): openssl verifies the signature and reads the CN, every name as a SAN and the key`, () => {
    const key = generatePrivateKey(type);
    const { verified, text, pubkey } = openssl(createCsr(IDENTIFIERS, key));
    assert.ok(verified, text);
    assert.match(text, /Subject: CN ?= ?pve\.example\.com\n/);
    assert.match(text, /X509v3 Subject Alternative Name: *\n *DNS:pve\.example\.com, DNS:\*\.example\.com, IP Address:192\.0\.2\.7, IP Address:2001:DB8:0:0:0:0:0:1, IP Address:0:0:0:0:0:FFFF:C633:6402\n/);
    assert.match(text, type.startsWith('ec-') ? new RegExp(`Signature Algorithm: ecdsa-with-SHA${type === 'ec-256' ? 256 : 384}`) : /Signature Algorithm: sha256WithRSAEncryption/);
    assert.equal(pubkey.trim(), String(createPublicKey(key).export({ type: 'spki', format: 'pem' })).trim(), 'the CSR carries the certificate key');
  });
}

test('createCsr: the CN is the first DNS name of at most 64 characters (CAs refuse a longer CN); IP-only: no CN', () => {
  const key = generatePrivateKey('ec-256');
  const long = `${'a'.repeat(60)}.example.com`;
  const first = openssl(createCsr([{ type: 'ip', value: '192.0.2.1' }, { type: 'dns', value: long }, { type: 'dns', value: 'short.example.com' }], key)).text;
  assert.match(first, /Subject: CN ?= ?short\.example\.com\n/);
  assert.ok(first.includes(`DNS:${long}`), 'the long name is still a SAN');
  const ipOnly = openssl(createCsr([{ type: 'ip', value: '192.0.2.1' }], key)).text;
  assert.match(ipOnly, /Subject: *\n/);
  assert.match(ipOnly, /IP Address:192\.0\.2\.1\n/);
});

test('createCsr: 3000 names (DER lengths of 1, 2 and 3 bytes) come out whole and verified', () => {
  const key = generatePrivateKey('ec-256');
  const names = Array.from({ length: 3000 }, (_, i) => ({ type: 'dns' as const, value: `name-${i}.scale.example.com` }));
  const { verified, text } = openssl(createCsr(names, key));
  assert.ok(verified);
  assert.ok(text.includes('DNS:name-0.scale.example.com, DNS:name-1.scale.example.com') && text.includes('DNS:name-2999.scale.example.com\n'));
});

test('ipAddressBytes: IPv4, IPv6 with and without ::, embedded IPv4', () => {
  assert.equal(ipAddressBytes('192.0.2.7').toString('hex'), 'c0000207');
  assert.equal(ipAddressBytes('2001:db8::1').toString('hex'), '20010db8000000000000000000000001');
  assert.equal(ipAddressBytes('::').toString('hex'), '0'.repeat(32));
  assert.equal(ipAddressBytes('fe80::').toString('hex'), 'fe80' + '0'.repeat(28));
  assert.equal(ipAddressBytes('1:2:3:4:5:6:7:8').toString('hex'), '00010002000300040005000600070008');
  assert.equal(ipAddressBytes('::ffff:198.51.100.2').toString('hex'), '00000000000000000000ffffc6336402');
});

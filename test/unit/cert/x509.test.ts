import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatePrivateKey, generatePrivateKeyAsync, isEncryptedKeyPem, keyMatchesCertificate, keyTypeOf, loadPrivateKey } from '../../../src/core/cert/key-material.ts';
import { KEY_TYPES } from '../../../src/core/cert/keys.ts';
import { parseCertificateChain, parsePemBlocks, parsePrivateKeyPem } from '../../../src/core/cert/pem.ts';
import { createSelfSigned } from '../../../src/core/cert/selfsigned.ts';
import { certificateInfo, onelineName, subjectAltNames } from '../../../src/core/cert/x509.ts';
import { encryptedKey, opensslCert, opensslX509 } from '../../helpers/certs.ts';
import { tempDir } from '../../helpers/cli.ts';

test('subject: node multi-line names become OpenSSL one-line form', () => {
  assert.equal(onelineName('CN=pve.example.com'), '/CN=pve.example.com');
  assert.equal(onelineName("C=US\nO=Let's Encrypt\nCN=R11"), "/C=US/O=Let's Encrypt/CN=R11");
  assert.equal(onelineName('O=A\\, Inc.\nserialNumber=5 + CN=x'), '/O=A, Inc./serialNumber=5+CN=x');
  assert.equal(onelineName('CN=a\\+b\\\\c'), '/CN=a+b\\c');
  assert.equal(onelineName(undefined), '');
});

test('subject and issuer match `openssl x509 -nameopt compat` for an openssl-made certificate', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const made = opensslCert(dir, 'r11', { subject: "/C=US/O=Let's Encrypt, Inc./OU=x+serialNumber=7/CN=R11" });
  const info = certificateInfo(made.cert, made.certFile);
  const expected = opensslX509(made.certFile, '-subject', '-nameopt', 'compat').replace(/^subject=/, '').trim();
  assert.equal(info.subject, expected);
  assert.equal(info.issuer, expected);
});

test('certificateInfo: fingerprint, dates, key, SANs as openssl reports them', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const made = opensslCert(dir, 'web', { newkey: 'rsa:2048', san: 'DNS:web.example.com,DNS:*.example.com,IP:10.0.0.1,IP:2001:db8::1,email:a@b.example' });
  const info = certificateInfo(made.cert, made.certFile);
  const fp = opensslX509(made.certFile, '-fingerprint', '-sha256').trim().replace(/^sha256 Fingerprint=/i, '');
  assert.equal(info.fingerprint, fp);
  assert.match(info.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  const dates = opensslX509(made.certFile, '-dates');
  const notBefore = Date.parse(/notBefore=(.*)/.exec(dates)![1]!) / 1000;
  const notAfter = Date.parse(/notAfter=(.*)/.exec(dates)![1]!) / 1000;
  assert.equal(info.notbefore, notBefore);
  assert.equal(info.notafter, notAfter);
  assert.equal(info.notafter - info.notbefore, 90 * 86_400);
  assert.equal(info['public-key-type'], 'rsaEncryption');
  assert.equal(info['public-key-bits'], 2048);
  assert.deepEqual(info.san, ['web.example.com', '*.example.com', '10.0.0.1', '2001:db8::1']);
  assert.equal(info.filename, made.certFile);
  assert.equal(info.pem, made.cert);
});

test('subjectAltNames: quoted values and compressed IPv6', () => {
  assert.deepEqual(subjectAltNames('DNS:a.example, IP Address:0:0:0:0:0:0:0:1, URI:http://x, DNS:"we,ird"'), ['a.example', '::1', 'we,ird']);
  assert.deepEqual(subjectAltNames(undefined), []);
});

test('key generation (sync, and async as an order makes it): every key type, PKCS#8 PEM, the right algorithm and size', async () => {
  const expected = { 'ec-256': ['ec', 'prime256v1'], 'ec-384': ['ec', 'secp384r1'], 'rsa-2048': ['rsa', 2048], 'rsa-3072': ['rsa', 3072], 'rsa-4096': ['rsa', 4096] } as const;
  const made = await Promise.all(KEY_TYPES.flatMap((type) => [{ type, pem: generatePrivateKey(type) }, generatePrivateKeyAsync(type).then((pem) => ({ type, pem }))]));
  assert.equal(made.length, 2 * KEY_TYPES.length);
  for (const { type, pem } of made) {
    assert.match(pem, /^-----BEGIN PRIVATE KEY-----\n/, type);
    const key = createPrivateKey(pem);
    const [alg, size] = expected[type];
    assert.equal(key.asymmetricKeyType, alg, type);
    const details = key.asymmetricKeyDetails!;
    assert.equal(alg === 'ec' ? details.namedCurve : details.modulusLength, size, type);
    assert.equal(keyTypeOf(key), type);
  }
});

test('self-signed certificate for each key type: key matches, SANs, openssl accepts it', async (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const now = new Date('2026-03-01T12:00:00Z');
  for (const type of ['ec-256', 'ec-384', 'rsa-2048'] as const) {
    const pair = await createSelfSigned(type, { nodename: 'node1', fqdn: 'node1.example.com' }, now);
    assert.ok(keyMatchesCertificate(pair.key, pair.chain), type);
    const file = join(dir, `${type}.pem`);
    writeFileSync(file, pair.chain);
    const text = opensslX509(file, '-text');
    assert.match(text, /DNS:node1, DNS:node1\.example\.com, DNS:localhost, IP Address:127\.0\.0\.1, IP Address:0:0:0:0:0:0:0:1/, type);
    const cert = new X509Certificate(pair.chain);
    assert.equal(new Date(cert.validFrom).getTime(), now.getTime());
    assert.ok(cert.verify(cert.publicKey), `${type}: self-signature verifies`);
    assert.match(cert.subject, /CN=node1\.example\.com/);
  }
});

test('key/chain match and password-protected keys', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const a = opensslCert(dir, 'a');
  const b = opensslCert(dir, 'b', { newkey: 'rsa:2048' });
  assert.equal(keyMatchesCertificate(a.key, a.cert), true);
  assert.equal(keyMatchesCertificate(b.key, a.cert), false);
  assert.equal(keyMatchesCertificate(a.key, `${a.cert}${b.cert}`), true, 'the leaf decides');
  const pkcs8 = encryptedKey(a.keyFile, join(dir, 'enc8.key'), 'pkcs8');
  const legacy = encryptedKey(b.keyFile, join(dir, 'legacy.key'), 'legacy');
  assert.match(legacy, /Proc-Type: 4,ENCRYPTED/);
  for (const pem of [pkcs8, legacy]) {
    assert.equal(isEncryptedKeyPem(pem), true);
    assert.throws(() => loadPrivateKey(parsePrivateKeyPem(pem, 'key')), { message: 'key file is password protected - certnode needs an unencrypted key' });
  }
  assert.equal(isEncryptedKeyPem(a.key), false);
});

test('PEM parsing: text before the first BEGIN is dropped, anything else is refused', (t) => {
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const a = opensslCert(dir, 'a');
  const b = opensslCert(dir, 'b');
  assert.equal(parseCertificateChain(`subject=/CN=a\nissuer=/CN=a\n${a.cert}\n${b.cert}`, 'certificates'), `${a.cert}${b.cert}`);
  assert.throws(() => parseCertificateChain('hello', 'certificates'), { message: 'certificates: not a valid PEM-formatted string.' });
  assert.throws(() => parseCertificateChain(`${a.cert}trailing junk\n`, 'certificates'), { message: 'certificates: not a valid PEM-formatted string.' });
  assert.throws(() => parseCertificateChain(a.cert.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'), 'certificates'), { message: 'certificates: not a valid PEM-formatted string.' });
  assert.throws(() => parseCertificateChain(`${a.cert}${a.key}`, 'certificates'), /certificates: the file contains a private key/);
  assert.equal(parsePrivateKeyPem(`junk\n${a.key}`, 'key'), a.key);
  assert.throws(() => parsePrivateKeyPem(a.cert, 'key'), { message: 'key: no private key found in the file' });
  assert.equal(parsePemBlocks('no pem'), undefined);
});

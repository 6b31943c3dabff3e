// Input limits, checked on every write: each bad value gets one line on stderr, exit 255, and
// leaves every file as it was.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { opensslCert } from '../helpers/certs.ts';
import { runCli, snapshot, tempDir } from '../helpers/cli.ts';

describe('limits', () => {
  const { dir: root, cleanup } = tempDir();
  after(cleanup);
  const cfg = join(root, 'cfg');
  const file = (name: string, content: string | Buffer): string => {
    const p = join(root, name);
    writeFileSync(p, content);
    return p;
  };

  test('setup: a node with a plugin and a domain', async () => {
    mkdirSync(cfg);
    for (const args of [
      ['acme', 'plugin', 'add', 'dns', 'cf', '--api', 'cf', '--data', file('ok.data', 'CF_Token=abc\n')],
      ['config', 'set', '--acme', 'domains=a.example.com'],
    ]) {
      const r = await runCli(args, { configDir: cfg });
      assert.equal(r.code, 0, r.stderr);
    }
  });

  const long = 'p'.repeat(100_000);
  const cases: [string, () => string[], string][] = [
    ['a 100,000-character plugin id', () => ['acme', 'plugin', 'add', 'standalone', long], `id: invalid format - invalid configuration ID '${'p'.repeat(64)}...' (at most 32 characters)`],
    ['a 33-character account name', () => ['acme', 'account', 'register', 'a'.repeat(33), 'x@example.com'], `name: invalid format - invalid configuration ID '${'a'.repeat(33)}' (at most 32 characters)`],
    ['999.1.1.1 as a domain', () => ['config', 'set', '--acme', 'domains=999.1.1.1'], "acme: invalid format - value '999.1.1.1' does not look like a valid domain name!"],
    ['1.2.3 as a domain', () => ['config', 'set', '--acmedomain0', '1.2.3'], "acmedomain0: invalid format - value '1.2.3' does not look like a valid domain name!"],
    ['empty list elements', () => ['config', 'set', '--acme', 'domains=a.example;;;'], "acme: invalid format - empty element in the domains list 'a.example;;;'"],
    ['a port with spaces', () => ['acme', 'plugin', 'add', 'standalone', 'web', '--port', ' 80 '], "port: type check ('integer') failed - got ' 80 '"],
    ['a port with a plus', () => ['acme', 'plugin', 'add', 'standalone', 'web', '--port', '+80'], "port: type check ('integer') failed - got '+80'"],
    ['a port with a leading zero', () => ['acme', 'plugin', 'add', 'standalone', 'web', '--port', '080'], "port: type check ('integer') failed - got '080'"],
    ['port 65536', () => ['acme', 'plugin', 'add', 'standalone', 'web', '--port', '65536'], 'port: value must have a maximum value of 65535'],
    ['a bad IPv6 address', () => ['acme', 'plugin', 'add', 'standalone', 'web', '--address', '::1::2'], "address: invalid format - value '::1::2' is not a valid IP address"],
    ['an IPv4 address with a leading zero', () => ['acme', 'plugin', 'add', 'standalone', 'web', '--address', '127.0.0.01'], "address: invalid format - value '127.0.0.01' is not a valid IP address"],
    ['a NUL byte in plugin data', () => ['acme', 'plugin', 'set', 'cf', '--data', file('nul.data', 'CF_Token=se\u0000cret\n')], 'data: the value of CF_Token contains a control character (U+0000)'],
    ['an escape character in plugin data', () => ['acme', 'plugin', 'add', 'dns', 'esc', '--api', 'cf', '--data', file('esc.data', 'CF_Key=a\u001b[31m\n')], 'data: the value of CF_Key contains a control character (U+001B)'],
    ['a 10 MB data value', () => ['acme', 'plugin', 'set', 'cf', '--data', file('big.data', `CF_Token=${'x'.repeat(10 * 1024 * 1024)}\n`)], `data: file '${join(root, 'big.data')}' is larger than the plugin data limit of 65536 bytes`],
    ['data just over 64 KiB', () => ['acme', 'plugin', 'set', 'cf', '--data', file('over.data', `CF_Token=${'x'.repeat(64 * 1024)}\n`)], 'data: plugin data is 65546 bytes, more than the limit of 65536'],
  ];
  for (const [name, args, line] of cases) {
    test(`${name}: one line, exit 255, no file changed`, async () => {
      const before = snapshot(cfg);
      const r = await runCli(args(), { configDir: cfg });
      assert.equal(r.code, 255);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n')[0], `ERROR: ${line}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(snapshot(cfg), before);
    });
  }

  test('data of exactly 64 KiB is accepted', async () => {
    const r = await runCli(['acme', 'plugin', 'set', 'cf', '--data', file('max.data', `CF_Token=${'x'.repeat(64 * 1024 - 10)}\n`)], { configDir: cfg });
    assert.equal(r.code, 0, r.stderr);
  });

  test('a huge node.cfg and an account nested 20,000 levels deep: one line each', async () => {
    const huge = join(root, 'huge');
    mkdirSync(join(huge, 'acme', 'accounts'), { recursive: true });
    writeFileSync(join(huge, 'node.cfg'), `description: ${'x'.repeat(9 * 1024 * 1024)}\n`);
    const account = { account: { status: 'valid', x: JSON.parse('['.repeat(2000) + ']'.repeat(2000)) }, directory: 'https://ca.example/dir', key: 'k', location: 'https://ca.example/acct/1' };
    writeFileSync(join(huge, 'acme', 'accounts', 'deep'), JSON.stringify(account).replace('[[', '['.repeat(18_000) + '[[').replace(']]', ']]' + ']'.repeat(18_000)));
    const cfgGet = await runCli(['config', 'get'], { configDir: huge });
    assert.equal(cfgGet.code, 255);
    assert.equal(cfgGet.stderr, `ERROR: unable to read '${join(huge, 'node.cfg')}' - it is ${9 * 1024 * 1024 + 14} bytes, more than the 8388608 a configuration file may have\n`);
    const info = await runCli(['acme', 'account', 'info', 'deep'], { configDir: huge });
    assert.equal(info.code, 255);
    assert.equal(info.stderr, `ERROR: ${join(huge, 'acme', 'accounts', 'deep')}: JSON nested more than 64 levels deep\n`);
  });

  describe('cert set key and validity checks', () => {
    const certCfg = join(root, 'certcfg');
    const openssl = (...args: string[]): void => void execFileSync('openssl', args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });

    test('RSA under 2048 bits and DSA are refused; nothing installed', async () => {
      const rsa = opensslCert(root, 'rsa1024', { newkey: 'rsa:1024' });
      openssl('dsaparam', '-out', 'dsa.param', '1024');
      const dsa = opensslCert(root, 'dsa', { newkey: `dsa:${join(root, 'dsa.param')}` });
      for (const [made, line] of [
        [rsa, 'certificates: the RSA key has 1024 bits, at least 2048 are needed'],
        [dsa, 'certificates: DSA keys are not supported (use RSA of 2048 bits or more, or EC)'],
      ] as const) {
        const r = await runCli(['cert', 'set', made.certFile, made.keyFile], { configDir: certCfg });
        assert.equal(r.code, 255);
        assert.equal(r.stderr.split('\n')[0], `ERROR: ${line}`);
      }
      assert.deepEqual(snapshot(root).hasOwnProperty('/certcfg/'), false, 'no config dir created');
    });

    test('an expired certificate is installed with a warning', async () => {
      const { X509CertificateGenerator, PemConverter } = await import('@peculiar/x509');
      const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
      const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
      const cert = await X509CertificateGenerator.createSelfSigned({
        serialNumber: '01',
        name: 'CN=expired.example.com',
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2020-02-01T00:00:00Z'),
        signingAlgorithm: alg,
        keys,
      }, webcrypto);
      const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
      const certFile = file('expired.pem', cert.toString('pem'));
      const keyFile = file('expired.key', PemConverter.encode(pkcs8, 'PRIVATE KEY'));
      const r = await runCli(['cert', 'set', certFile, keyFile], { configDir: certCfg });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(r.stdout.split('\n').slice(0, 2), ['Setting custom certificate files', 'WARNING: the certificate expired on 2020-02-01T00:00:00.000Z']);
    });
  });
});

// The tls-alpn-01 responder over real TLS on 127.0.0.1: the validation certificate RFC 8737
// asks for, only for acme-tls/1 and the names it was given; nothing after close.

import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import * as tls from 'node:tls';
import { test } from 'node:test';
import { ACME_TLS_ALPN_PROTOCOL, TlsAlpnResponder, validationServerName } from '../../src/core/challenge/tls-alpn.ts';

function handshake(port: number, servername: string, alpn: string[]): Promise<{ cert: X509Certificate; protocol: string | false | null }> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, ALPNProtocols: alpn, rejectUnauthorized: false, timeout: 5000 }, () => {
      const peer = socket.getPeerX509Certificate();
      const protocol = socket.alpnProtocol;
      socket.destroy();
      if (!peer) reject(new Error('no certificate'));
      else resolve({ cert: peer, protocol });
    });
    socket.on('error', reject);
    socket.on('timeout', () => socket.destroy(new Error('timeout')));
  });
}

/** The extnValue after the DER-encoded OID `oidDer`, and its criticality, found in the raw certificate (enough for these small certs). */
function extension(cert: X509Certificate, oidDer: Buffer): { critical: boolean; value: Buffer } | undefined {
  const raw = cert.raw;
  const at = raw.indexOf(oidDer);
  if (at < 0) return undefined;
  let i = at + oidDer.length;
  let critical = false;
  if (raw[i] === 0x01) {
    critical = raw[i + 2] === 0xff;
    i += 3;
  }
  assert.equal(raw[i], 0x04, 'extnValue is an OCTET STRING');
  const len = raw[i + 1]!;
  return { critical, value: raw.subarray(i + 2, i + 2 + len) };
}


test('tls-alpn-01 responder: the validation certificate for acme-tls/1 and its names only; closed afterwards', async () => {
  const responder = await TlsAlpnResponder.start({ pluginId: 'standalone', port: 0, address: '127.0.0.1' });
  const port = responder.port;
  try {
    await responder.add('a.example.test', 'token.thumbprint');
    await responder.add('127.0.0.1', 'ip-token.thumbprint');
    const { cert, protocol } = await handshake(port, 'a.example.test', [ACME_TLS_ALPN_PROTOCOL]);
    assert.equal(protocol, ACME_TLS_ALPN_PROTOCOL);
    assert.equal(cert.subjectAltName, 'DNS:a.example.test');
    const ext = extension(cert, Buffer.from('06082b0601050507011f', 'hex')); // OID 1.3.6.1.5.5.7.1.31
    assert.ok(ext, 'acmeIdentifier extension present');
    assert.equal(ext.critical, true);
    assert.deepEqual(ext.value, Buffer.concat([Buffer.from([0x04, 0x20]), createHash('sha256').update('token.thumbprint').digest()]));

    const ip = await handshake(port, validationServerName('127.0.0.1'), [ACME_TLS_ALPN_PROTOCOL]);
    assert.equal(ip.cert.subjectAltName, 'IP Address:127.0.0.1');

    await assert.rejects(handshake(port, 'a.example.test', ['h2', 'http/1.1']), 'another protocol: no handshake');
    await assert.rejects(handshake(port, 'other.example.test', [ACME_TLS_ALPN_PROTOCOL]), 'another name: no handshake');
    responder.remove('a.example.test');
    await assert.rejects(handshake(port, 'a.example.test', [ACME_TLS_ALPN_PROTOCOL]), 'removed: no handshake');
  } finally {
    await responder.close();
  }
  await assert.rejects(handshake(port, 'a.example.test', [ACME_TLS_ALPN_PROTOCOL]), /ECONNREFUSED/);
});

test('reverse-mapping server names of IP identifiers (RFC 8738)', () => {
  assert.equal(validationServerName('192.0.2.1'), '1.2.0.192.in-addr.arpa');
  assert.equal(validationServerName('2001:db8::1'), '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  assert.equal(validationServerName('Host.Example'), 'host.example');
});

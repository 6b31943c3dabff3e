import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createServer, type Socket } from 'node:net';
import { ARI_DEFAULT_RETRY_S, certId, certIdParts, fetchRenewalInfo, parseRenewalInfo, renewalInstant } from '../../src/core/acme/ari.ts';
import type { Context } from '../../src/context.ts';
import { combineWithAri, renewalDecision } from '../../src/core/cert/renewal.ts';
import { tempDir } from '../helpers/cli.ts';

/** A CA and a leaf it signed with serial `serial` (openssl adds SKI/AKI key identifiers). */
function issued(serial: string): { leaf: X509Certificate; caSki: string } {
  const { dir, cleanup } = tempDir();
  try {
    const f = (n: string): string => join(dir, n);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const run = (args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run(['req', '-x509', ...ec, '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=ari test CA']);
    run(['req', ...ec, '-keyout', f('leaf.key'), '-out', f('leaf.csr'), '-subj', '/CN=leaf.example']);
    writeFileSync(f('ext.cnf'), 'authorityKeyIdentifier=keyid\nsubjectAltName=DNS:leaf.example\n');
    run(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', serial, '-out', f('leaf.pem'), '-days', '2', '-extfile', f('ext.cnf')]);
    const skiText = run(['x509', '-in', f('ca.pem'), '-noout', '-ext', 'subjectKeyIdentifier']);
    const caSki = /\n\s*([0-9A-F:]+)\s*$/.exec(skiText)![1]!.replace(/:/g, '').toLowerCase();
    return { leaf: new X509Certificate(readFileSync(f('leaf.pem'))), caSki };
  } finally {
    cleanup();
  }
}

test('CertID: the DER serial bytes keep the leading 0x00 of a serial with the high bit set; the AKI key id', () => {
  const { leaf, caSki } = issued('0x80AABBCCDD');
  assert.equal(leaf.serialNumber.toUpperCase(), '80AABBCCDD', "node's serialNumber drops the 0x00 (why it is not used)");
  const parts = certIdParts(leaf.raw);
  assert.equal(Buffer.from(parts.serial).toString('hex').toUpperCase(), '0080AABBCCDD');
  assert.equal(Buffer.from(parts.keyIdentifier).toString('hex'), caSki);
  assert.equal(certId(leaf.raw), `${Buffer.from(caSki, 'hex').toString('base64url')}.${Buffer.from('0080AABBCCDD', 'hex').toString('base64url')}`);
  assert.equal(certId(leaf.raw)!.split('.')[1], 'AICqu8zd');
});

test('CertID: a serial without the high bit is its bytes as they are', () => {
  const { leaf } = issued('0x7F01');
  assert.equal(Buffer.from(certIdParts(leaf.raw).serial).toString('hex'), '7f01');
});

test('CertID: no AKI or not a certificate -> undefined', () => {
  assert.equal(certId(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)), undefined);
  assert.equal(certId(Uint8Array.of(1, 2, 3)), undefined);
});

test('renewalInfo: window, explanation, Retry-After bounded to [1 min, 1 day], 6 h without one', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  const t0 = now.getTime() / 1000;
  const body = JSON.stringify({ suggestedWindow: { start: '2026-01-10T00:00:00Z', end: '2026-01-11T00:00:00Z' }, explanationURL: 'https://ca/x' });
  const info = (r: ReturnType<typeof parseRenewalInfo>) => {
    assert.ok(r.ok, JSON.stringify(r));
    return r.info;
  };
  assert.deepEqual(info(parseRenewalInfo(200, body, '3600', now)), { start: Date.parse('2026-01-10T00:00:00Z') / 1000, end: Date.parse('2026-01-11T00:00:00Z') / 1000, explanationURL: 'https://ca/x', nextCheck: t0 + 3600 });
  assert.equal(info(parseRenewalInfo(200, body, undefined, now)).nextCheck, t0 + ARI_DEFAULT_RETRY_S);
  assert.equal(info(parseRenewalInfo(200, body, '1', now)).nextCheck, t0 + 60);
  assert.equal(info(parseRenewalInfo(200, body, String(7 * 86400), now)).nextCheck, t0 + 86400);
  assert.deepEqual(parseRenewalInfo(404, body, undefined, now), { ok: false, reason: 'HTTP 404' });
  assert.deepEqual(parseRenewalInfo(400, '{"type":"urn:ietf:params:acme:error:malformed","detail":"All requests MUST include a User-Agent header"}', undefined, now), { ok: false, reason: 'HTTP 400 - All requests MUST include a User-Agent header' });
  const noWindow = { ok: false, reason: 'the answer has no valid suggestedWindow' };
  assert.deepEqual(parseRenewalInfo(200, '{"suggestedWindow":{"start":"2026-01-11T00:00:00Z","end":"2026-01-10T00:00:00Z"}}', undefined, now), noWindow);
  assert.deepEqual(parseRenewalInfo(200, 'not json', undefined, now), noWindow);
});

test('renewal instant: uniform in the window; the same window keeps the instant picked before', () => {
  const w = { start: 1000, end: 2000 };
  assert.equal(renewalInstant(w, undefined, () => 0), 1000);
  assert.equal(renewalInstant(w, undefined, () => 0.5), 1500);
  assert.equal(renewalInstant(w, { ...w, renewAt: 1234 }, () => 0.9), 1234);
  assert.equal(renewalInstant({ start: 1000, end: 3000 }, { ...w, renewAt: 1234 }, () => 0.5), 2000, 'a new window: a new pick');
});

test('combined decision with a fake clock: ARI makes it earlier, or later within half of the time left', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2026-03-31T00:00:00Z'); // 89 days: lifetime due from 2026-03-01T08:00, bound 2026-03-16T04:00
  const s = (iso: string): number => Date.parse(iso) / 1000;
  const combined = (window: { start: number; end: number; renewAt: number }, iso: string) => combineWithAri(renewalDecision(notBefore, notAfter, new Date(iso)), window, new Date(iso), notAfter);
  const ari = { start: s('2026-01-20T00:00:00Z'), end: s('2026-01-22T00:00:00Z'), renewAt: s('2026-01-21T00:00:00Z') };
  assert.deepEqual(combined(ari, '2026-01-20T12:00:00Z'), { due: false, dueAt: new Date('2026-01-21T00:00:00Z'), reason: 'ari' });
  assert.equal(combined(ari, '2026-01-21T00:00:00Z').due, true);
  assert.equal(combined(ari, '2026-02-15T00:00:00Z').due, true, 'a window that has ended: due at once');
  const later = { start: s('2026-03-05T00:00:00Z'), end: s('2026-03-07T00:00:00Z'), renewAt: s('2026-03-06T00:00:00Z') };
  assert.deepEqual(combined(later, '2026-03-02T00:00:00Z'), { due: false, dueAt: new Date('2026-03-06T00:00:00Z'), reason: 'ari' }, 'postponed past the lifetime rule');
  const tooLate = { start: s('2026-03-20T00:00:00Z'), end: s('2026-03-25T00:00:00Z'), renewAt: s('2026-03-22T00:00:00Z') };
  assert.deepEqual(combined(tooLate, '2026-03-10T00:00:00Z'), { due: false, dueAt: new Date('2026-03-16T04:00:00Z'), reason: 'lifetime' }, 'postponed at most to the bound');
  assert.equal(combined(tooLate, '2026-03-16T04:00:00Z').due, true);
  assert.deepEqual(combineWithAri(renewalDecision(notBefore, notAfter, notBefore), undefined, notBefore, notAfter).reason, 'lifetime');
});

test('renewalInfo GET: a server that never answers fails within the bound, saying so; a closed port too', async () => {
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const ctx = { env: {}, now: () => new Date() } as unknown as Context;
  try {
    const started = Date.now();
    assert.deepEqual(await fetchRenewalInfo(ctx, `https://127.0.0.1:${port}/renewal-info`, 'a.b', 300), { ok: false, reason: 'no answer within 0.3 s' });
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
  assert.deepEqual(await fetchRenewalInfo(ctx, `https://127.0.0.1:${port}/renewal-info`, 'a.b', 300), { ok: false, reason: `connect ECONNREFUSED 127.0.0.1:${port}` });
  assert.deepEqual(await fetchRenewalInfo(ctx, 'http://127.0.0.1:1/renewal-info', 'a.b', 300), { ok: false, reason: "'http://127.0.0.1:1/renewal-info' is not an https URL" }, 'only https');
});

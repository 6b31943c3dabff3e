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
  const info = parseRenewalInfo(200, body, '3600', now)!;
  assert.deepEqual(info, { start: Date.parse('2026-01-10T00:00:00Z') / 1000, end: Date.parse('2026-01-11T00:00:00Z') / 1000, explanationURL: 'https://ca/x', nextCheck: t0 + 3600 });
  assert.equal(parseRenewalInfo(200, body, undefined, now)!.nextCheck, t0 + ARI_DEFAULT_RETRY_S);
  assert.equal(parseRenewalInfo(200, body, '1', now)!.nextCheck, t0 + 60);
  assert.equal(parseRenewalInfo(200, body, String(7 * 86400), now)!.nextCheck, t0 + 86400);
  assert.equal(parseRenewalInfo(404, body, undefined, now), undefined);
  assert.equal(parseRenewalInfo(200, '{"suggestedWindow":{"start":"2026-01-11T00:00:00Z","end":"2026-01-10T00:00:00Z"}}', undefined, now), undefined);
  assert.equal(parseRenewalInfo(200, 'not json', undefined, now), undefined);
});

test('renewal instant: uniform in the window; the same window keeps the instant picked before', () => {
  const w = { start: 1000, end: 2000 };
  assert.equal(renewalInstant(w, undefined, () => 0), 1000);
  assert.equal(renewalInstant(w, undefined, () => 0.5), 1500);
  assert.equal(renewalInstant(w, { ...w, renewAt: 1234 }, () => 0.9), 1234);
  assert.equal(renewalInstant({ start: 1000, end: 3000 }, { ...w, renewAt: 1234 }, () => 0.5), 2000, 'a new window: a new pick');
});

test('combined decision with a fake clock: ARI makes it earlier, never later', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  const notAfter = new Date('2026-03-31T00:00:00Z'); // 89 days: lifetime due from day ~59
  const s = (iso: string): number => Date.parse(iso) / 1000;
  const ari = { start: s('2026-01-20T00:00:00Z'), end: s('2026-01-22T00:00:00Z'), renewAt: s('2026-01-21T00:00:00Z') };
  const at = (iso: string) => combineWithAri(renewalDecision(notBefore, notAfter, new Date(iso)), ari, new Date(iso));
  assert.deepEqual(at('2026-01-20T12:00:00Z'), { due: false, dueAt: new Date('2026-01-21T00:00:00Z'), reason: 'ari' });
  assert.equal(at('2026-01-21T00:00:00Z').due, true);
  assert.equal(at('2026-02-15T00:00:00Z').due, true, 'a window that has ended: due at once');
  const late = { start: s('2026-03-20T00:00:00Z'), end: s('2026-03-25T00:00:00Z'), renewAt: s('2026-03-22T00:00:00Z') };
  const d = combineWithAri(renewalDecision(notBefore, notAfter, new Date('2026-03-10T00:00:00Z')), late, new Date('2026-03-10T00:00:00Z'));
  assert.equal(d.reason, 'lifetime');
  assert.equal(d.due, true, 'a window after the lifetime rule does not postpone renewal');
  assert.deepEqual(combineWithAri(renewalDecision(notBefore, notAfter, notBefore), undefined, notBefore).reason, 'lifetime');
});

test('renewalInfo GET: a server that never answers gives undefined within the bound; a closed port too', async () => {
  const held = new Set<Socket>();
  const silent = createServer((socket) => {
    held.add(socket);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as { port: number }).port;
  const ctx = { env: {}, now: () => new Date() } as unknown as Context;
  try {
    const started = Date.now();
    assert.equal(await fetchRenewalInfo(ctx, `https://127.0.0.1:${port}/renewal-info`, 'a.b', 300), undefined);
    assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  }
  assert.equal(await fetchRenewalInfo(ctx, `https://127.0.0.1:${port}/renewal-info`, 'a.b', 300), undefined);
  assert.equal(await fetchRenewalInfo(ctx, 'http://127.0.0.1:1/renewal-info', 'a.b', 300), undefined, 'only https');
});

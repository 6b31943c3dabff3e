// A MOCK for tests only: Pebble 2.4.0 has neither ARI (renewalInfo) nor ACME profiles, so this
// HTTPS reverse proxy on 127.0.0.1 stands in front of a real Pebble (same TLS certificate, from
// the harness's CA directory) and passes every request through unchanged, except:
// - the directory gets `renewalInfo: <proxy>/renewal-info` and `meta.profiles` added,
// - `GET /renewal-info/<certID>` answers from a table the test controls (and records the certID),
// - newOrder requests are recorded (their JWS payload decoded) so tests can see `replaces`/`profile`.
// Pebble builds its URLs from the Host header, which is passed through as the proxy's, so Pebble's
// own responses already point at the proxy and JWS `url`s match: no URL rewriting is needed.
// Pebble 2.4.0 decodes newOrder with Go's encoding/json, which ignores unknown fields, so
// `replaces` and `profile` are passed through as sent (they are signed; stripping them would
// break the JWS). The e2e tests show Pebble accepts them.

import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Pebble } from './pebble.ts';

export interface MockRenewalInfo {
  suggestedWindow: { start: string; end: string };
  explanationURL?: string;
  /** Retry-After in seconds (none sent when undefined). */
  retryAfter?: number;
}

export interface RecordedOrder {
  identifiers: { type: string; value: string }[];
  replaces?: string;
  profile?: string;
}

export interface MockAriProxy {
  directoryUrl: string;
  /** The renewalInfo answer per certID; a certID not in it gets 404. */
  renewalInfo: Map<string, MockRenewalInfo>;
  /** When set, renewalInfo requests get their connection reset (the CA's ARI unreachable). */
  ariDown: boolean;
  /** When set, newOrders carrying `replaces` are refused with alreadyReplaced (the order is not passed on). */
  refuseReplaces: boolean;
  /** certIDs asked for, in order. */
  renewalInfoRequests: string[];
  newOrders: RecordedOrder[];
  stop(): Promise<void>;
}

export const MOCK_PROFILES = { classic: 'The same profile as always (mock)', shortlived: 'Six-day certificates (mock)' };

export async function startMockAriProxy(pebble: Pebble): Promise<MockAriProxy> {
  const tlsDir = dirname(pebble.caFile); // scripts/lib/pebble.mjs makeTlsFiles: ca.pem, cert.pem, key.pem
  const ca = readFileSync(pebble.caFile);
  const upstream = new URL(pebble.directoryUrl);
  let origin = '';
  let newOrderPath = '';

  const state: MockAriProxy = {
    directoryUrl: '',
    renewalInfo: new Map(),
    ariDown: false,
    refuseReplaces: false,
    renewalInfoRequests: [],
    newOrders: [],
    stop: async () => {},
  };

  const server = https.createServer({ cert: readFileSync(join(tlsDir, 'cert.pem')), key: readFileSync(join(tlsDir, 'key.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (req.method === 'GET' && path.startsWith('/renewal-info/')) {
        const id = path.slice('/renewal-info/'.length);
        state.renewalInfoRequests.push(id);
        if (state.ariDown) {
          req.socket.destroy();
          return;
        }
        const info = state.renewalInfo.get(id);
        if (!info) {
          res.writeHead(404, { 'Content-Type': 'application/problem+json' }).end(JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'unknown certID (mock)' }));
          return;
        }
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (info.retryAfter !== undefined) headers['Retry-After'] = String(info.retryAfter);
        res.writeHead(200, headers).end(JSON.stringify({ suggestedWindow: info.suggestedWindow, ...(info.explanationURL ? { explanationURL: info.explanationURL } : {}) }));
        return;
      }
      if (req.method === 'POST' && path === newOrderPath) {
        let payload: RecordedOrder | undefined;
        try {
          const jws = JSON.parse(body.toString('utf8')) as { payload: string };
          payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as RecordedOrder;
          state.newOrders.push(payload);
        } catch {
          // not ours to judge: Pebble answers it
        }
        if (state.refuseReplaces && payload?.replaces) {
          res.writeHead(409, { 'Content-Type': 'application/problem+json' }).end(JSON.stringify({ type: 'urn:ietf:params:acme:error:alreadyReplaced', detail: 'the certificate was already replaced (mock)', status: 409 }));
          return;
        }
      }
      const headers = { ...req.headers, host: new URL(origin).host };
      const up = https.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers, ca, agent: false, timeout: 30_000 }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('end', () => {
          let out = Buffer.concat(parts);
          const outHeaders = { ...upRes.headers };
          if (req.method === 'GET' && path === upstream.pathname && upRes.statusCode === 200) {
            const dir = JSON.parse(out.toString('utf8')) as { newOrder: string; meta?: Record<string, unknown> };
            newOrderPath = new URL(dir.newOrder).pathname;
            const patched = { ...dir, renewalInfo: `${origin}/renewal-info`, meta: { ...(dir.meta ?? {}), profiles: MOCK_PROFILES } };
            out = Buffer.from(JSON.stringify(patched, null, 2));
            outHeaders['content-length'] = String(out.length);
          }
          res.writeHead(upRes.statusCode ?? 502, outHeaders).end(out);
        });
        upRes.on('error', () => res.destroy());
      });
      up.on('timeout', () => up.destroy(new Error('upstream timeout')));
      up.on('error', () => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.directoryUrl = `${origin}${upstream.pathname}`;
  // the directory path is learned from the first directory GET; learn it now so newOrders are recorded from the start
  const dirBody = await new Promise<string>((resolve, reject) => {
    https
      .get(state.directoryUrl, { ca, agent: false, timeout: 5000 }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      })
      .on('error', reject);
  });
  newOrderPath = new URL((JSON.parse(dirBody) as { newOrder: string }).newOrder).pathname;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

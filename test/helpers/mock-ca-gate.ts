// A MOCK for tests only: an HTTPS reverse proxy on 127.0.0.1 in front of a real Pebble (same TLS
// certificate, from the harness's CA directory) that passes every request through unchanged,
// except that on cue it plays what Pebble cannot: a CA that is down (connections reset), and a
// CA that rate-limits new orders (429 urn:ietf:params:acme:error:rateLimited with Retry-After).
// Pebble builds its URLs from the Host header, passed through as the proxy's, so its answers
// already point at the proxy: no URL rewriting is needed.

import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Pebble } from './pebble.ts';

export interface MockCaGate {
  directoryUrl: string;
  /** Reset every connection (the CA unreachable). */
  down: boolean;
  /** When set, newOrder gets 429 rateLimited with this Retry-After (seconds). */
  rateLimitRetryAfter: number | undefined;
  /** TCP connections made to the proxy (also while down): "did certnode contact the CA at all?". */
  connections: number;
  stop(): Promise<void>;
}

export async function startMockCaGate(pebble: Pebble): Promise<MockCaGate> {
  const tlsDir = dirname(pebble.caFile); // scripts/lib/pebble.mjs makeTlsFiles: ca.pem, cert.pem, key.pem
  const ca = readFileSync(pebble.caFile);
  const upstream = new URL(pebble.directoryUrl);
  let origin = '';
  let newOrderPath = '';
  const state: MockCaGate = { directoryUrl: '', down: false, rateLimitRetryAfter: undefined, connections: 0, stop: async () => {} };

  const server = https.createServer({ cert: readFileSync(join(tlsDir, 'cert.pem')), key: readFileSync(join(tlsDir, 'key.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (req.method === 'POST' && path === newOrderPath && state.rateLimitRetryAfter !== undefined) {
        res
          .writeHead(429, { 'Content-Type': 'application/problem+json', 'Retry-After': String(state.rateLimitRetryAfter) })
          .end(JSON.stringify({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many new orders recently (mock)', status: 429 }));
        return;
      }
      const headers = { ...req.headers, host: new URL(origin).host };
      const up = https.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers, ca, agent: false, timeout: 30_000 }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('end', () => {
          const out = Buffer.concat(parts);
          if (req.method === 'GET' && path === upstream.pathname && upRes.statusCode === 200) {
            newOrderPath = new URL((JSON.parse(out.toString('utf8')) as { newOrder: string }).newOrder).pathname;
          }
          res.writeHead(upRes.statusCode ?? 502, upRes.headers).end(out);
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
  server.on('connection', (socket) => {
    state.connections++;
    if (state.down) socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.directoryUrl = `${origin}${upstream.pathname}`;
  state.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

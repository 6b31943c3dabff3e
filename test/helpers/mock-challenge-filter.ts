// A MOCK for tests only: every CA in the test bed (Pebble 2.10) offers dns-01, dns-account-01 and
// dns-persist-01 for every DNS name, so to see what certnode does with a CA that lacks one — as
// most CAs do today — this HTTPS reverse proxy on 127.0.0.1 stands in front of the real Pebble
// and passes everything through unchanged, except that authorizations lose the challenges of
// the types in `hidden`. Pebble builds its URLs from the Host header (passed as the proxy's), so
// its own answers already point at the proxy and the JWS `url`s match.

import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Pebble } from './pebble.ts';

export interface MockChallengeFilter {
  directoryUrl: string;
  stop(): Promise<void>;
}

export async function startMockChallengeFilter(pebble: Pebble, hidden: readonly string[]): Promise<MockChallengeFilter> {
  const tlsDir = dirname(pebble.caFile);
  const ca = readFileSync(pebble.caFile);
  const upstream = new URL(pebble.directoryUrl);
  let origin = '';
  const server = https.createServer({ cert: readFileSync(join(tlsDir, 'cert.pem')), key: readFileSync(join(tlsDir, 'key.pem')) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const up = https.request({ host: upstream.hostname, port: upstream.port, method: req.method, path, headers: { ...req.headers, host: new URL(origin).host }, ca, agent: false, timeout: 30_000 }, (upRes) => {
        const parts: Buffer[] = [];
        upRes.on('data', (c: Buffer) => parts.push(c));
        upRes.on('end', () => {
          let out = Buffer.concat(parts);
          const headers = { ...upRes.headers };
          if (path.startsWith('/authZ/') && upRes.statusCode === 200) {
            const authz = JSON.parse(out.toString('utf8')) as { challenges?: { type: string }[] };
            authz.challenges = (authz.challenges ?? []).filter((c) => !hidden.includes(c.type));
            out = Buffer.from(JSON.stringify(authz));
            headers['content-length'] = String(out.length);
          }
          res.writeHead(upRes.statusCode ?? 502, headers).end(out);
        });
        upRes.on('error', () => res.destroy());
      });
      up.on('timeout', () => up.destroy(new Error('upstream timeout')));
      up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
      up.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    directoryUrl: `${origin}${upstream.pathname}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

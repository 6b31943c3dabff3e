// Run snippets of shell against the dnsapi shim's helpers, and a tiny HTTP server to talk to.

import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from './cli.ts';

export const SHIM = join(ROOT, 'share', 'dnsapi-shim.sh');

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `shell -c '. shim; <snippet>'` with only the helpers defined (CERTNODE_SHIM_LIB), no timestamps. */
export function runShim(shell: string, snippet: string, opts: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<ShellResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(shell, ['-c', `. "$SHIM"\n${snippet}`], {
      // HOME: bash reads ~/.bashrc when stdin is a socket (as node's pipes are); give it none
      env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/nonexistent', TMPDIR: '/tmp', SHIM, CERTNODE_SHIM_LIB: '1', NO_TIMESTAMP: '1', ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`shell snippet did not finish: ${snippet}\n${stdout}\n${stderr}`));
    }, opts.timeoutMs ?? 10_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {}); // the shell may exit before reading stdin
    child.stdin.end(opts.stdin ?? '');
  });
}

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * 127.0.0.1 on a free port. /ok: 200 + JSON + X-Test header; /missing: 404; /redirect: 302 to /ok;
 * /echo: 200 with the request as JSON; /set-txt and /clear-txt: pebble-challtestsrv's management API
 * (records kept in `txt`).
 */
export async function startTestServer(): Promise<TestServer & { txt: Map<string, string[]> }> {
  const requests: SeenRequest[] = [];
  const txt = new Map<string, string[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      requests.push(seen);
      const path = (req.url ?? '').split('?')[0];
      if (path === '/ok') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Test': 'yes' });
        res.end('{"ok":true}\n');
      } else if (path === '/redirect') {
        res.writeHead(302, { Location: '/ok' });
        res.end();
      } else if (path === '/echo') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(seen));
      } else if ((path === '/set-txt' || path === '/clear-txt') && req.method === 'POST') {
        let parsed: { host?: string; value?: string };
        try {
          parsed = JSON.parse(body) as { host?: string; value?: string };
        } catch {
          res.writeHead(400);
          res.end('bad json');
          return;
        }
        if (!parsed.host) {
          res.writeHead(400);
          res.end('no host');
          return;
        }
        if (path === '/set-txt') txt.set(parsed.host, [...(txt.get(parsed.host) ?? []), parsed.value ?? '']);
        else txt.delete(parsed.host);
        res.writeHead(200);
        res.end();
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('nope');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    txt,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// A CA that accepts the connection and never answers: the command gives up, and the time its
// error states is the time that passed (within 10 %). Before, it said 30 s after 60 s.

import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { after, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';

test('a silent CA: the stated time matches the elapsed time', async () => {
  const { dir, cleanup } = tempDir();
  const sockets: Socket[] = [];
  const server = createServer((s) => {
    sockets.push(s);
    s.on('data', () => {}); // read everything, answer nothing (not even the TLS handshake)
  });
  after(() => {
    for (const s of sockets) s.destroy();
    server.close();
    cleanup();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const started = Date.now();
  const r = await runCli(['acme', 'account', 'register', 'silent', 'a@example.com', '--directory', `https://127.0.0.1:${port}/dir`, '--agree-tos'], { configDir: dir, timeoutMs: 120_000 });
  const elapsed = (Date.now() - started) / 1000;
  assert.equal(r.code, 255);
  const m = /^ERROR: unable to fetch ACME directory 'https:\/\/127\.0\.0\.1:\d+\/dir' - no response within (\d+) s$/m.exec(r.stderr);
  assert.ok(m, r.stderr);
  const stated = Number(m[1]);
  assert.ok(Math.abs(stated - elapsed) <= 0.1 * elapsed, `stated ${stated} s, elapsed ${elapsed.toFixed(1)} s`);
  assert.ok(sockets.length >= 1, 'the CA saw the connection');
});

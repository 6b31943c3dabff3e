// Output to a pipe or file goes straight to the file descriptor (src/context.ts FdOutput). What a
// user would notice if that went wrong: output cut short when the reader is slow, or lost when the
// descriptor is non-blocking - set so by another program sharing it (Node.js and libuv hand their
// children blocking stdio, other launchers need not) - where a write into a full pipe meets EAGAIN
// and must wait for the reader instead of giving up.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, baseEnv, tempDir } from '../helpers/cli.ts';

/** perl (perl-base: in every Debian) makes its stdout non-blocking, then becomes `argv`. */
const NONBLOCKING_STDOUT = 'my $f = fcntl(STDOUT, F_GETFL, 0) or die; fcntl(STDOUT, F_SETFL, $f | O_NONBLOCK) or die; exec @ARGV or die';

describe('output through the file descriptor', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  // a plugin list far larger than a pipe's buffer
  const plugins = Array.from({ length: 5000 }, (_, i) => `dns: plugin${String(i).padStart(4, '0')}\n\tapi cf\n\tvalidation-delay 30\n`).join('\n');
  mkdirSync(join(dir, 'acme'));
  writeFileSync(join(dir, 'acme', 'plugins.cfg'), plugins);
  const env = baseEnv({ CERTNODE_CONFIG_DIR: dir });
  const args = [BIN, 'acme', 'plugin', 'list', '--output-format', 'json'];
  const expected = spawnSync(process.execPath, args, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

  test('the reference run (a pipe read at once) prints every plugin', () => {
    assert.equal(expected.status, 0, expected.stderr);
    assert.ok(expected.stdout.length > 512 * 1024, `${expected.stdout.length} bytes`);
    assert.equal((JSON.parse(expected.stdout) as unknown[]).length, 5001); // + the implicit standalone
  });

  test('a non-blocking pipe whose reader pauses: the same bytes, exit 0, nothing on stderr', async () => {
    const child = spawn('perl', ['-MFcntl', '-e', NONBLOCKING_STDOUT, process.execPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    // not reading for a while: the pipe fills and the child's writes meet EAGAIN
    child.stdout.pause();
    await new Promise((r) => setTimeout(r, 1500));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.equal(Buffer.concat(chunks).toString('utf8'), expected.stdout);
  });
});

// `npm run demo` (scripts/demo.mjs): the README's run command works without stdin, and stops
// Pebble on Ctrl-C. Run with --no-build: the suite already built dist/, and rebuilding it while
// other test files run would swap their modules under them.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { ROOT } from '../helpers/cli.ts';

const DEMO = `${ROOT}scripts/demo.mjs`;

function runDemo(opts: { timeoutMs: number; onOutput?: (out: string, signal: (s: NodeJS.Signals) => void) => void }): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(process.execPath, [DEMO, '--no-build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: ROOT } });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    const add = (d: Buffer): void => {
      out += d.toString();
      opts.onOutput?.(out, (s) => child.kill(s));
    };
    child.stdout.on('data', add);
    child.stderr.on('data', add);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('npm run demo: orders, shows and verifies a certificate for three names, exit 0', async () => {
  const r = await runDemo({ timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.out);
  for (const line of [
    '$ certnode acme account register default demo@example.com',
    'Registration successful',
    '$ certnode acme cert order',
    'Placing ACME order',
    "Status is 'valid', domain 'a.demo.test' OK!",
    "Status is 'valid', domain 'b.demo.test' OK!",
    "Status is 'valid', domain 'c.demo.test' OK!",
    'Downloading certificate',
    '$ certnode cert info',
    '/CN=a.demo.test',
    'leaf.pem: OK',
    '==> Demo OK: certificate for 3 names ordered',
    '==> Stopping Pebble',
  ]) {
    assert.ok(r.out.includes(line), `missing '${line}' in:\n${r.out}`);
  }
  assert.equal(r.out.match(/leaf\.pem: OK/g)?.length, 2, r.out);
  const dir = /Using temporary config dir (\S+)/.exec(r.out)?.[1];
  assert.ok(dir && !existsSync(dir), `config dir ${dir} should be removed`);
});

test('demo: SIGINT stops Pebble, removes the temporary dir and exits 130', async () => {
  let sent = false;
  const r = await runDemo({
    timeoutMs: 60_000,
    onOutput: (out, signal) => {
      if (!sent && out.includes('Using temporary config dir')) {
        sent = true;
        signal('SIGINT');
      }
    },
  });
  assert.ok(sent, r.out);
  assert.equal(r.code, 130, r.out);
  assert.match(r.out, /SIGINT: stopping Pebble/);
  const pids = /\(pids (\d+) (\d+)\)/.exec(r.out);
  assert.ok(pids, r.out);
  for (const pid of [Number(pids[1]), Number(pids[2])]) assert.equal(alive(pid), false, `pid ${pid} still running`);
  const dir = /Using temporary config dir (\S+)/.exec(r.out)?.[1];
  assert.ok(dir && !existsSync(dir), `config dir ${dir} should be removed`);
});

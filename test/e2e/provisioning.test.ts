// Scripted provisioning run twice (PRODUCT.md: repeated runs are idempotent): the second run exits
// 0, says `unchanged` (JSON `"changed": false`) and leaves every file untouched (inode, mtime).

import assert from 'node:assert/strict';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const fixture = pebbleFixture();
const { dir, cleanup } = tempDir();
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  cleanup();
});

/** inode and mtime of every file under the config dir. */
function stamps(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (!name.endsWith('.lock')) out[p.slice(root.length)] = `${st.ino} ${st.mtimeMs}`;
    }
  };
  walk(root);
  return out;
}

test(
  'register, plugin add, config set, plugin set: the second run changes nothing and says so',
  fixture.withLogs(async () => {
    const pebble = fixture.get();
    const cfg = join(dir, 'etc');
    const data = join(dir, 'cf.data');
    writeFileSync(data, 'CF_Token=secret token\nCF_Account_ID=1234\n');
    const script: string[][] = [
      ['acme', 'account', 'register', 'default', 'ops@example.com', '--directory', pebble.directoryUrl, '--agree-tos'],
      ['acme', 'plugin', 'add', 'dns', 'cloudflare', '--api', 'cf', '--data', data, '--validation-delay', '60'],
      ['config', 'set', '--acme', 'account=default,domains=a.example.com', '--acmedomain0', '*.example.com,plugin=cloudflare'],
      ['acme', 'plugin', 'set', 'standalone', '--port', '8080'],
    ];
    const run = (args: string[], format: string) => runCli([...args, '--output-format', format], { configDir: cfg, env: pebble.env, timeoutMs: 60_000 });

    for (const args of script) {
      const r = await run(args, 'json');
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal((JSON.parse(r.stdout) as { changed: boolean }).changed, true, args.join(' '));
    }
    const first = stamps(cfg);
    assert.deepEqual(Object.keys(first), ['/acme/accounts/default', '/acme/plugins.cfg', '/node.cfg']);

    for (const args of script) {
      const json = await run(args, 'json');
      assert.deepEqual(json, { code: 0, stdout: '{"changed":false}\n', stderr: '' }, args.join(' '));
      const text = await run(args, 'text');
      assert.deepEqual(text, { code: 0, stdout: 'unchanged\n', stderr: '' }, args.join(' '));
    }
    assert.deepEqual(stamps(cfg), first, 'no file was rewritten');

    // asking for something different where the object exists stays an error
    const clash = await run(['acme', 'plugin', 'add', 'standalone', 'cloudflare'], 'text');
    assert.equal(clash.code, 255);
    assert.match(clash.stderr, /^ERROR: id: ACME plugin ID 'cloudflare' already exists with other settings - change it with certnode acme plugin set cloudflare\n/);
    // and a real change is reported as one
    const change = await run(['config', 'set', '--acme', 'account=default,domains=b.example.com'], 'json');
    assert.deepEqual(change, { code: 0, stdout: '{"changed":true}\n', stderr: '' });
  }),
);

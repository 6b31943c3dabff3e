// config get / config set, run as the built binary.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DNSAPI_FIXTURES, runCli, snapshot, tempDir } from '../helpers/cli.ts';

describe('config', () => {
  const { dir, cleanup } = tempDir();
  const nodeCfg = join(dir, 'node.cfg');
  const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(args, { configDir: dir, ...opts });
  after(cleanup);

  test('get on an empty config prints nothing; json has the digest of the empty file', async () => {
    assert.deepEqual(await run(['config', 'get']), { code: 0, stdout: '', stderr: '' });
    const json = await run(['config', 'get', '--output-format', 'json']);
    assert.equal(json.stdout, `{"digest":"${createHash('sha256').update('').digest('hex')}"}\n`);
  });

  test('set stores values exactly as typed; get prints node.cfg text (description first, keys sorted)', async () => {
    mkdirSync(join(dir, 'acme'), { recursive: true });
    writeFileSync(join(dir, 'acme', 'plugins.cfg'), 'dns: cloudflare\n\tapi cf\n\n');
    const r = await run([
      'config', 'set',
      '--acme', 'account=prod,domains=Host.example.com;www.example.com',
      '--acmedomain0', 'api.example.org,plugin=cloudflare',
      '--acmedomain12', 'domain=*.example.org,alias=acme.example.net,plugin=cloudflare',
      '--description', 'Rack 4: front',
    ]);
    assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    const expected = '#Rack 4%3A front\nacme: account=prod,domains=Host.example.com;www.example.com\nacmedomain0: api.example.org,plugin=cloudflare\nacmedomain12: domain=*.example.org,alias=acme.example.net,plugin=cloudflare\n';
    assert.equal(readFileSync(nodeCfg, 'utf8'), expected);
    assert.equal((statSync(nodeCfg).mode & 0o777).toString(8), '644');
    assert.equal((await run(['config', 'get'])).stdout, expected);
    assert.equal((await run(['config', 'get', '--property', 'acmedomain12'])).stdout, 'acmedomain12: domain=*.example.org,alias=acme.example.net,plugin=cloudflare\n');
    assert.equal((await run(['config', 'get', '--property', 'acmedomain3'])).stdout, '');
    const json = await run(['config', 'get', '--output-format', 'json']);
    assert.deepEqual(JSON.parse(json.stdout), {
      acme: 'account=prod,domains=Host.example.com;www.example.com',
      acmedomain0: 'api.example.org,plugin=cloudflare',
      acmedomain12: 'domain=*.example.org,alias=acme.example.net,plugin=cloudflare',
      description: 'Rack 4: front',
      digest: createHash('sha256').update(expected).digest('hex'),
    });
    // the same under a terminal
    const tty = await run(['config', 'get'], { tty: true });
    assert.equal(tty.stdout, expected);
  });

  test('unknown keys written by others are kept; --delete and --digest work', async () => {
    writeFileSync(nodeCfg, `${readFileSync(nodeCfg, 'utf8')}wakeonlan: 00:11:22:33:44:55\n`);
    const digest = createHash('sha256').update(readFileSync(nodeCfg)).digest('hex');
    const r = await run(['conf', 'se', '--delete', 'acmedomain12,description', '--digest', digest]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      readFileSync(nodeCfg, 'utf8'),
      'acme: account=prod,domains=Host.example.com;www.example.com\nacmedomain0: api.example.org,plugin=cloudflare\nwakeonlan: 00:11:22:33:44:55\n',
    );
    const before = snapshot(dir);
    const stale = await run(['config', 'set', '--acmedomain1', 'b.example.org', '--digest', digest]);
    assert.equal(stale.code, 255);
    assert.equal(stale.stderr, 'ERROR: detected modified configuration - file changed by other user? Try again.\n');
    assert.deepEqual(snapshot(dir), before);
  });

  const bad: [string, string[], string][] = [
    ['a domain with a space', ['--acmedomain1', 'a b.example.com'], "acmedomain1: invalid format - value 'a b.example.com' does not look like a valid domain name!"],
    ['a domain with ;', ['--acmedomain1', 'a;b.example.com'], "acmedomain1: invalid format - value 'a;b.example.com' does not look like a valid domain name!"],
    ['a wildcard on the standalone plugin', ['--acmedomain1', '*.example.com'], "acmedomain1: wildcard domain '*.example.com' needs a DNS plugin, but plugin 'standalone' is of type 'standalone'"],
    ['a wildcard in acme domains', ['--acme', 'domains=*.example.com'], "acme: wildcard domain '*.example.com' needs a DNS plugin, but plugin 'standalone' is of type 'standalone'"],
    ['an unknown plugin in acmedomain0', ['--acmedomain0', 'c.example.com,plugin=nope'], "acmedomain0: plugin 'nope' for domain 'c.example.com' not found!"],
    ['a duplicate domain (case-insensitive)', ['--acmedomain5', 'HOST.example.com'], "duplicate domain 'HOST.example.com' in ACME config properties 'acmedomain5' and 'acme'"],
    ['a duplicate inside domains=', ['--acme', 'domains=a.example.com;A.example.com'], "duplicate domain 'A.example.com' in ACME config properties"],
    ['an unknown key in a property string', ['--acmedomain1', 'a.example.com,colour=red'], 'acmedomain1: invalid key in comma-separated list property: colour'],
    ['an invalid account name', ['--acme', 'account=a'], "acme: invalid format - invalid configuration ID 'a'"],
    ['deleting an unknown key', ['--delete', 'colour'], "delete: no such option 'colour'"],
    ['a slot beyond the last', ['--acmedomain100', 'x.example.com'], "unknown option '--acmedomain100' - domain slots are --acmedomain0 .. --acmedomain99"],
    ['no options at all', [], 'no options specified'],
  ];
  for (const [what, args, message] of bad) {
    test(`bad input, one clear line, nothing written: ${what}`, async () => {
      const before = snapshot(dir);
      const r = await run(['config', 'set', ...args]);
      assert.equal(r.code, 255);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr, `ERROR: ${message}\nUSAGE: certnode config set [OPTIONS]\n`);
      assert.deepEqual(snapshot(dir), before);
    });
  }

  test('a bad node.cfg line is reported with file and line', async () => {
    const { dir: d2, cleanup: c2 } = tempDir();
    try {
      writeFileSync(join(d2, 'node.cfg'), 'acme: account=x1\nnonsense\n');
      const r = await runCli(['config', 'get'], { configDir: d2 });
      assert.equal(r.code, 255);
      assert.equal(r.stderr, `ERROR: ${join(d2, 'node.cfg')} line 2: unable to parse line 'nonsense' (expected 'key: value')\n`);
    } finally {
      c2();
    }
  });
});

test('config set --dnsapi-dir: where plugin apis and plugin add look for dns_<api>.sh', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const env = { CERTNODE_DNSAPI_DIR: '' };
    const none = await runCli(['acme', 'plugin', 'add', 'dns', 'cf1', '--api', 'certnodetest'], { configDir: dir, env });
    assert.equal(none.code, 255);
    assert.match(none.stderr, /^ERROR: .*no DNS API script dns_certnodetest\.sh found; looked in: /);
    const relative = await runCli(['config', 'set', '--dnsapi-dir', 'dnsapi'], { configDir: dir, env });
    assert.equal(relative.stderr, "ERROR: dnsapi-dir: value 'dnsapi' is not an absolute path\nUSAGE: certnode config set [OPTIONS]\n");
    assert.equal((await runCli(['config', 'set', '--dnsapi-dir', DNSAPI_FIXTURES], { configDir: dir, env })).code, 0);
    assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), `dnsapi-dir: ${DNSAPI_FIXTURES}\n`);
    const apis = await runCli(['acme', 'plugin', 'apis', '--output-format', 'json'], { configDir: dir, env });
    assert.equal(apis.code, 0, apis.stderr);
    assert.ok((JSON.parse(apis.stdout) as { api: string }[]).some((a) => a.api === 'certnodetest'));
    const add = await runCli(['acme', 'plugin', 'add', 'dns', 'cf1', '--api', 'certnodetest'], { configDir: dir, env });
    assert.equal(add.code, 0, add.stderr);
  } finally {
    cleanup();
  }
});

describe('challenge= in acmedomainN', () => {
  test('challenge=: dns-persist-01 alone needs no dns plugin; switching the account warns about its records; bad values refused', async () => {
    const { dir: own, cleanup: done } = tempDir();
    try {
      const r = (args: string[]) => runCli(args, { configDir: own });
      assert.equal((await r(['config', 'set', '--acmedomain0', 'persist.example,challenge=dns-persist-01'])).code, 0);
      const other = await r(['config', 'set', '--acme', 'account=other']);
      assert.equal(other.code, 0);
      assert.equal(other.stderr, "WARNING: the node now uses account 'other', but the dns-persist-01 records of persist.example name the account of 'default' - publish new ones with 'certnode acme cert persist-record --apply'\n");
      const bad = await r(['config', 'set', '--acmedomain1', 'b.example,challenge=dns-account-01']);
      assert.equal(bad.code, 255);
      assert.match(bad.stderr, /^ERROR: acmedomain1: challenge=dns-account-01 for domain 'b\.example' needs a DNS plugin, but plugin 'standalone' is of type 'standalone'$/m);
      const ip = await r(['config', 'set', '--acmedomain1', '192.0.2.1,challenge=dns-persist-01']);
      assert.equal(ip.code, 255);
      assert.match(ip.stderr, /IP address '192\.0\.2\.1' cannot be validated through DNS/);
    } finally {
      done();
    }
  });
});

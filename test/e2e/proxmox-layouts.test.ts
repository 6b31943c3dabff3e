// The PVE layout against a real Pebble: certnode refuses what PVE's parser would drop, takes it in
// its side file instead, and an order installs into nodes/<node>/pveproxy-ssl.{pem,key}. A plugin
// restricted to other nodes (its `nodes`) stops config set and an order before any CA contact.

import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli, snapshot, tempDir, type RunResult } from '../helpers/cli.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

const fixture = pebbleFixture({ authzReuse: 0 });
const cleanups: (() => void)[] = [];
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  for (const cleanup of cleanups) cleanup();
});

function tree(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

describe('pve layout', () => {
  test(
    'keytype and a wildcard are refused with the PVE reason, taken by the side file; the order installs into nodes/<node>/pveproxy-ssl.*',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = tree();
      // a PVE tree as pmxcfs shows it: priv/ (detected), this node's config with a description
      mkdirSync(join(dir, 'priv', 'acme'), { recursive: true, mode: 0o755 });
      const privMode = (statSync(join(dir, 'priv', 'acme')).mode & 0o777).toString(8);
      mkdirSync(join(dir, 'nodes', 'pve1'), { recursive: true });
      mkdirSync(join(dir, 'nodes', 'pve2'), { recursive: true });
      const configFile = join(dir, 'nodes', 'pve1', 'config');
      writeFileSync(configFile, '#Rack 4%3A main\nwakeonlan: 00:11:22:33:44:55\n');
      writeFileSync(join(dir, 'nodes', 'pve2', 'config'), 'acme: domains=pve2.example.test\n');
      const run = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
        runCli(args, { configDir: dir, env: { ...pebble.env, CERTNODE_NODE: 'pve1', ...env }, timeoutMs: 120_000 });
      const ok = async (args: string[]): Promise<void> => {
        const r = await run(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      };

      await ok(['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos']);
      assert.ok(existsSync(join(dir, 'priv', 'acme', 'default')), 'the account is priv/acme/<name>');
      const add = await runCli(['acme', 'plugin', 'add', 'dns', 'testdns', '--api', 'certnodetest', '--data', '-'], { configDir: dir, env: { CERTNODE_NODE: 'pve1' }, stdin: 'TEST_VAR=1\n' });
      assert.equal(add.code, 0, add.stderr);

      // refused: one line naming PVE's limitation, exit 255, no file changed
      const untouched = snapshot(dir);
      const keytype = await run(['config', 'set', '--acme', 'keytype=ec-384']);
      assert.deepEqual(keytype, {
        code: 255,
        stdout: '',
        stderr:
          "ERROR: acme: PVE drops the whole 'acme' line when it holds 'keytype' (PVE's acme setting knows only account and domains) - set it in certnode's side file instead: certnode config set --side --acme keytype=ec-384\n",
      });
      const wildcard = await run(['config', 'set', '--acmedomain0', '*.pve1.example.test,plugin=testdns']);
      assert.deepEqual(wildcard, {
        code: 255,
        stdout: '',
        stderr:
          "ERROR: acmedomain0: PVE drops 'acmedomain0': its domain is the wildcard '*.pve1.example.test' (pve-acme-domain takes no wildcards) - set it in certnode's side file instead: certnode config set --side --acmedomain0 '*.pve1.example.test,plugin=testdns'\n",
      });
      const port = await run(['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort)]);
      assert.equal(port.code, 255);
      assert.equal(
        port.stderr,
        `ERROR: PVE drops 'port' from a standalone plugin (PVE's standalone plugins know disable, nodes) - set it in certnode's side file instead: certnode acme plugin set --side standalone --port ${pebble.httpPort}\n`,
      );
      assert.deepEqual(snapshot(dir), untouched);

      // the same settings through certnode's side files
      await ok(['config', 'set', '--acme', 'domains=pve1.example.test;www.pve1.example.test']);
      await ok(['config', 'set', '--side', '--acme', 'keytype=ec-384']);
      await ok(['config', 'set', '--side', '--acmedomain0', '*.pve1.example.test,plugin=testdns']);
      await ok(['acme', 'plugin', 'set', '--side', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1']);
      // PVE's file holds only what PVE reads, its own lines kept
      assert.equal(readFileSync(configFile, 'utf8'), '#Rack 4%3A main\nacme: domains=pve1.example.test;www.pve1.example.test\nwakeonlan: 00:11:22:33:44:55\n');
      assert.equal(readFileSync(join(dir, 'nodes', 'pve1', 'certnode.cfg'), 'utf8'), 'acme: keytype=ec-384\nacmedomain0: *.pve1.example.test,plugin=testdns\n');
      assert.equal((await run(['config', 'get', '--side'])).stdout, 'acme: keytype=ec-384\nacmedomain0: *.pve1.example.test,plugin=testdns\n');
      // the wildcard goes again (ordering it needs a DNS server this test has not)
      await ok(['config', 'set', '--side', '--delete', 'acmedomain0']);

      const order = await run(['acme', 'cert', 'order']);
      assert.equal(order.code, 0, order.stderr);
      const pem = join(dir, 'nodes', 'pve1', 'pveproxy-ssl.pem');
      const key = join(dir, 'nodes', 'pve1', 'pveproxy-ssl.key');
      const cert = new X509Certificate(readFileSync(pem));
      assert.deepEqual(cert.subjectAltName?.split(', ').sort(), ['DNS:pve1.example.test', 'DNS:www.pve1.example.test']);
      // the side file's keytype was honoured
      assert.equal(createPrivateKey(readFileSync(key)).asymmetricKeyDetails?.namedCurve, 'secp384r1');
      assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(key))));
      // pmxcfs takes no chmod but to 0600 below priv/ and 0640 elsewhere, and none on directories
      const mode = (f: string): string => (statSync(join(dir, f)).mode & 0o777).toString(8);
      assert.deepEqual(
        ['nodes/pve1/config', 'nodes/pve1/certnode.cfg', 'nodes/pve1/pveproxy-ssl.pem', 'nodes/pve1/pveproxy-ssl.key', 'nodes/pve1/certnode/certnode.json', 'priv/acme/plugins.cfg', 'priv/acme/certnode-plugins.cfg', 'priv/acme/default'].map((f) => [f, mode(f)]),
        [['nodes/pve1/config', '640'], ['nodes/pve1/certnode.cfg', '640'], ['nodes/pve1/pveproxy-ssl.pem', '640'], ['nodes/pve1/pveproxy-ssl.key', '640'], ['nodes/pve1/certnode/certnode.json', '640'], ['priv/acme/plugins.cfg', '600'], ['priv/acme/certnode-plugins.cfg', '600'], ['priv/acme/default', '600']],
      );
      assert.equal(mode('priv/acme'), privMode, 'directory modes are left alone');
      // certnode's own state in its own directory; nothing certnode-shaped at the top of /etc/pve
      assert.ok(existsSync(join(dir, 'nodes', 'pve1', 'certnode', 'certnode.json')));
      assert.ok(!existsSync(join(dir, 'certs')));
      assert.ok(!existsSync(join(dir, 'nodes', 'pve2', 'pveproxy-ssl.pem')));

      // another node reads pve1's config and certificate with --node
      const get = await run(['--node', 'pve1', 'config', 'get'], { CERTNODE_NODE: 'pve2' });
      assert.equal(get.stdout, readFileSync(configFile, 'utf8'));
      const info = await run(['--node', 'pve1', 'cert', 'info', '--output-format', 'json'], { CERTNODE_NODE: 'pve2' });
      assert.equal(info.code, 0, info.stderr);
      const rows = JSON.parse(info.stdout) as { filename: string; role: string; source: string }[];
      assert.deepEqual(
        rows.map((r) => [r.filename, r.role, r.source]),
        [[pem, 'installed', 'acme']],
      );
      // and its own, without --node
      assert.equal((await run(['config', 'get'], { CERTNODE_NODE: 'pve2' })).stdout, 'acme: domains=pve2.example.test\n');

      // revoked, the pair goes (as with pvenode): pveproxy serves PVE's own pve-ssl.pem again
      const revoke = await run(['acme', 'cert', 'revoke']);
      assert.equal(revoke.code, 0, revoke.stderr);
      assert.match(revoke.stdout, new RegExp(`pveproxy falls back to PVE's own ${join(dir, 'nodes', 'pve1', 'pve-ssl.pem')}\n`));
      for (const f of ['pveproxy-ssl.pem', 'pveproxy-ssl.key', 'pveproxy-ssl.pem.old', 'pveproxy-ssl.key.old']) assert.ok(!existsSync(join(dir, 'nodes', 'pve1', f)), f);
      const update = await run(['cert', 'update']);
      assert.deepEqual(update, {
        code: 255,
        stdout: '',
        stderr: `ERROR: in the pve layout pveproxy serves PVE's own ${join(dir, 'nodes', 'pve1', 'pve-ssl.pem')} (signed by the cluster CA) when there is no ${pem}: certnode makes no self-signed one ('pvecm updatecerts' renews PVE's)\n`,
      });
    }),
  );
});

describe('plugin nodes', () => {
  test(
    "a plugin restricted to other nodes: config set refuses, an order refuses before contacting the CA",
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const dir = tree();
      mkdirSync(join(dir, 'nodes'));
      const run = (args: string[], env: Record<string, string> = {}): Promise<RunResult> =>
        runCli(args, { configDir: dir, env: { ...pebble.env, CERTNODE_NODE: 'node3', ...env }, timeoutMs: 120_000 });
      const ok = async (args: string[], env: Record<string, string> = {}): Promise<void> => {
        const r = await run(args, env);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      };
      await ok(['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos']);
      await ok(['acme', 'plugin', 'add', 'standalone', 'web', '--nodes', 'othernode1,othernode2', '--port', String(pebble.httpPort), '--address', '127.0.0.1']);

      const before = snapshot(dir);
      const set = await run(['config', 'set', '--acmedomain0', 'n3.example.test,plugin=web']);
      assert.deepEqual(set, {
        code: 255,
        stdout: '',
        stderr: "ERROR: acmedomain0: plugin 'web' for domain 'n3.example.test' is restricted to nodes othernode1, othernode2 (its nodes setting), not this node 'node3'\n",
      });
      assert.deepEqual(snapshot(dir), before);
      // a listed node may
      await ok(['config', 'set', '--acmedomain0', 'o1.example.test,plugin=web'], { CERTNODE_NODE: 'othernode1' });

      // node3's config written by hand (or before the plugin got its nodes): the order stops first
      mkdirSync(join(dir, 'nodes', 'node3'));
      writeFileSync(join(dir, 'nodes', 'node3', 'node.cfg'), 'acmedomain0: n3.example.test,plugin=web\n');
      const requests = await pebble.requestCount();
      const order = await run(['acme', 'cert', 'order']);
      assert.equal(order.code, 255);
      assert.equal(order.stderr, "ERROR: acmedomain0: plugin 'web' for domain 'n3.example.test' is restricted to nodes othernode1, othernode2 (its nodes setting), not this node 'node3'\n");
      assert.equal(await pebble.requestCount(), requests, 'the CA was not contacted');
      assert.ok(!existsSync(join(dir, 'nodes', 'node3', 'certs', 'certnode.pem')));
      // othernode1 orders through it
      const allowed = await run(['acme', 'cert', 'order'], { CERTNODE_NODE: 'othernode1' });
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.ok(existsSync(join(dir, 'nodes', 'othernode1', 'certs', 'certnode.pem')));
    }),
  );
});

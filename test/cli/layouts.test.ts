// --layout certnode|pve|pbs: detection from the tree, the PBS mapping and its refusals, run as
// the built binary. (The PVE layout with an order: test/e2e/proxmox-layouts.test.ts.)

import assert from 'node:assert/strict';
import { chownSync, chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { opensslCert } from '../helpers/certs.ts';
import { runCli, snapshot, tempDir, type RunResult } from '../helpers/cli.ts';

const cleanups: (() => void)[] = [];
after(() => {
  for (const cleanup of cleanups) cleanup();
});
function tree(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

describe('layout detection', () => {
  test('a new tree is certnode; priv/ is pve; proxy.pem is pbs; marks of two layouts need --layout', async () => {
    const fresh = tree();
    assert.equal((await runCli(['config', 'set', '--description', 'x'], { configDir: fresh })).code, 0);
    assert.ok(existsSync(join(fresh, 'node.cfg')));

    const pve = tree();
    mkdirSync(join(pve, 'priv'));
    assert.equal((await runCli(['config', 'set', '--description', 'x'], { configDir: pve, env: { CERTNODE_NODE: 'pve1' } })).code, 0);
    assert.equal(readFileSync(join(pve, 'nodes', 'pve1', 'config'), 'utf8'), '#x\n');

    const pbs = tree();
    writeFileSync(join(pbs, 'proxy.pem'), '');
    assert.equal((await runCli(['config', 'set', '--description', 'x'], { configDir: pbs })).code, 0);
    assert.equal(readFileSync(join(pbs, 'node.cfg'), 'utf8'), '#x\n');
    // a certnode-only setting proves which layout was taken: PBS's file refuses it
    assert.match((await runCli(['config', 'set', '--reload-command', 'true'], { configDir: pbs })).stderr, /^ERROR: reload-command: PBS rejects/);

    const both = tree();
    mkdirSync(join(both, 'priv'));
    writeFileSync(join(both, 'proxy.pem'), '');
    const before = snapshot(both);
    const r = await runCli(['config', 'set', '--description', 'x'], { configDir: both });
    assert.equal(r.code, 255);
    assert.equal(r.stderr.split('\n')[0], `ERROR: layout: cannot tell the layout of '${both}': it has marks of pve (priv) and pbs (proxy.pem) - say which with --layout or CERTNODE_LAYOUT`);
    assert.deepEqual(snapshot(both), before);
    // said explicitly, it works: the option, or the environment
    assert.equal((await runCli(['--layout', 'pbs', 'config', 'set', '--description', 'x'], { configDir: both })).code, 0);
    assert.equal(readFileSync(join(both, 'node.cfg'), 'utf8'), '#x\n');
    assert.equal((await runCli(['config', 'set', '--description', 'y'], { configDir: both, env: { CERTNODE_LAYOUT: 'pve', CERTNODE_NODE: 'n1' } })).code, 0);
    assert.equal(readFileSync(join(both, 'nodes', 'n1', 'config'), 'utf8'), '#y\n');

    // a certnode cluster tree (nodes/<node>/node.cfg) beside PVE's marks is ambiguous too
    const mixed = tree();
    mkdirSync(join(mixed, 'nodes', 'a'), { recursive: true });
    writeFileSync(join(mixed, 'nodes', 'a', 'node.cfg'), '');
    writeFileSync(join(mixed, 'datacenter.cfg'), '');
    const m = await runCli(['config', 'get'], { configDir: mixed });
    assert.equal(m.stderr.split('\n')[0], `ERROR: layout: cannot tell the layout of '${mixed}': it has marks of pve (datacenter.cfg) and certnode (nodes/a/node.cfg) - say which with --layout or CERTNODE_LAYOUT`);

    const bad = await runCli(['--layout', 'proxmox', 'config', 'get'], { configDir: fresh });
    assert.equal(bad.stderr.split('\n')[0], "ERROR: layout: value 'proxmox' does not have a value in the enumeration 'certnode, pve, pbs'");
  });
});

describe('pbs layout', () => {
  const dir = tree();
  const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}): Promise<RunResult> => runCli(args, { configDir: dir, ...opts, env: { CERTNODE_LAYOUT: 'pbs', ...opts.env } });
  const data = join(tree(), 'cf.data');
  writeFileSync(data, 'CF_Token=x\n');

  test("certnode's files map onto /etc/proxmox-backup: node.cfg, acme/plugins.cfg, acme/accounts/, proxy.pem and proxy.key", async () => {
    writeFileSync(join(dir, 'node.cfg'), 'email-from: root@example.com\n');
    // as PBS keeps it: root:backup 0640 (the proxy, running as backup, reads it)
    chownSync(join(dir, 'node.cfg'), 0, 34);
    chmodSync(join(dir, 'node.cfg'), 0o640);
    const set = await run(['config', 'set', '--acme', 'account=default', '--acmedomain0', 'pbs.example.com,plugin=cf']);
    assert.equal(set.code, 255, 'the plugin does not exist yet');
    assert.equal((await run(['acme', 'plugin', 'add', 'dns', 'cf', '--api', 'cf', '--data', data])).code, 0);
    assert.ok(existsSync(join(dir, 'acme', 'plugins.cfg')));
    assert.deepEqual(await run(['config', 'set', '--acme', 'account=default', '--acmedomain0', 'pbs.example.com,plugin=cf']), { code: 0, stdout: '', stderr: '' });
    assert.match(readFileSync(join(dir, 'node.cfg'), 'utf8'), /^acme: account=default\nacmedomain0: pbs\.example\.com,plugin=cf\n/m);
    const nodeCfg = statSync(join(dir, 'node.cfg'));
    assert.deepEqual([nodeCfg.mode & 0o777, nodeCfg.uid, nodeCfg.gid], [0o640, 0, 34], 'node.cfg keeps root:backup 0640');
    // accounts are listed from acme/accounts/
    mkdirSync(join(dir, 'acme', 'accounts'), { recursive: true });
    writeFileSync(join(dir, 'acme', 'accounts', 'prod'), '{}');
    assert.equal((await run(['acme', 'account', 'list', '--output-format', 'json'])).stdout, '[{"name":"prod"}]\n');

    // a custom certificate goes into proxy.pem / proxy.key, keeping PBS's root:backup 0640
    const pair = opensslCert(tree(), 'pbs');
    // PBS's own self-signed pair, root:backup 0640
    const own = opensslCert(tree(), 'proxy');
    writeFileSync(join(dir, 'proxy.pem'), own.cert);
    writeFileSync(join(dir, 'proxy.key'), own.key);
    for (const f of ['proxy.pem', 'proxy.key']) {
      chownSync(join(dir, f), 0, 34);
      chmodSync(join(dir, f), 0o640);
    }
    const cert = await run(['cert', 'set', pair.certFile, pair.keyFile, '--force']);
    assert.equal(cert.code, 0, cert.stderr);
    assert.equal(readFileSync(join(dir, 'proxy.pem'), 'utf8'), pair.cert);
    assert.equal(readFileSync(join(dir, 'proxy.key'), 'utf8'), pair.key);
    for (const f of ['proxy.pem', 'proxy.key']) {
      const st = statSync(join(dir, f));
      assert.deepEqual([st.mode & 0o777, st.uid, st.gid], [0o640, 0, 34], f);
    }
    assert.ok(existsSync(join(dir, 'certnode', 'certnode.json')), "certnode's own state in certnode/");
    const info = await run(['cert', 'info', '--output-format', 'json']);
    assert.deepEqual(
      (JSON.parse(info.stdout) as { filename: string; role: string }[]).map((r) => [r.filename, r.role]),
      [
        [join(dir, 'proxy.pem'), 'installed'],
        [join(dir, 'proxy.pem.old'), 'backup'],
      ],
    );
    assert.equal(readFileSync(join(dir, 'proxy.pem.old'), 'utf8'), own.cert);
  });

  test('what PBS rejects is refused with its reason, and nothing changes', async () => {
    const before = snapshot(dir);
    const refusals: [string[], string][] = [
      [['config', 'set', '--acme', 'account=default,domains=a.example.com'], "ERROR: acme: PBS rejects the whole node.cfg for 'domains' in 'acme' (PBS's acme setting knows only account) - list the domains as acmedomain0 .. acmedomain4 (plugin standalone by default)"],
      [['config', 'set', '--acme', 'keytype=rsa-2048'], "ERROR: acme: PBS rejects the whole node.cfg for 'keytype' in 'acme' (PBS's acme setting knows only account) - set it in certnode's side file instead: certnode config set --side --acme keytype=rsa-2048"],
      [['config', 'set', '--acmedomain5', 'e.example.com'], "ERROR: acmedomain5: PBS rejects the whole node.cfg for 'acmedomain5' (PBS knows acmedomain0 .. acmedomain4) - set it in certnode's side file instead: certnode config set --side --acmedomain5 e.example.com"],
      [['config', 'set', '--cert-file', '/srv/x.pem'], "ERROR: cert-file: PBS rejects the whole node.cfg for 'cert-file' (not a PBS node setting) - set it in certnode's side file instead: certnode config set --side --cert-file /srv/x.pem"],
      [['config', 'set', '--reload-command', 'systemctl reload proxmox-backup-proxy'], "ERROR: reload-command: PBS rejects the whole node.cfg for 'reload-command' (not a PBS node setting) - set it in certnode's side file instead: certnode config set --side --reload-command 'systemctl reload proxmox-backup-proxy'"],
      [['acme', 'plugin', 'set', 'cf', '--nodes', 'pbs1'], "ERROR: PBS rejects the whole plugins.cfg for 'nodes' in a dns plugin (PBS's dns plugins know api, data, disable, validation-delay)"],
      [['acme', 'plugin', 'set', 'cf', '--propagation', 'sleep'], "ERROR: PBS rejects the whole plugins.cfg for 'propagation' in a dns plugin (PBS's dns plugins know api, data, disable, validation-delay) - set it in certnode's side file instead: certnode acme plugin set --side cf --propagation sleep"],
      [['acme', 'plugin', 'set', 'standalone', '--port', '8080'], "ERROR: PBS rejects the whole plugins.cfg for 'port' in a standalone plugin (PBS's standalone plugins have no settings) - set it in certnode's side file instead: certnode acme plugin set --side standalone --port 8080"],
      [['acme', 'plugin', 'add', 'standalone', 'web', '--address', '127.0.0.1'], "ERROR: PBS rejects the whole plugins.cfg for 'address' in a standalone plugin (PBS's standalone plugins have no settings) - set it in certnode's side file instead: certnode acme plugin set --side web --address 127.0.0.1"],
      [['acme', 'plugin', 'add', 'dns', 'cf2', '--api', 'cf'], "ERROR: PBS rejects the whole plugins.cfg for a dns plugin without 'data' (its dns plugins require it) - give --data <file>"],
      [['acme', 'plugin', 'set', 'cf', '--delete', 'data'], "ERROR: PBS rejects the whole plugins.cfg for a dns plugin without 'data' (its dns plugins require it)"],
      [['--node', 'pbs2', 'config', 'get'], `ERROR: node: the pbs layout holds one node only ('${dir}/node.cfg'); --node is for pve and certnode cluster trees`],
    ];
    for (const [args, line] of refusals) {
      const r = await run(args);
      assert.equal(r.code, 255, args.join(' '));
      assert.equal(r.stderr.split('\n')[0], line, args.join(' '));
    }
    assert.deepEqual(snapshot(dir), before);
  });

  test("certnode's side file takes them; reads merge it, and a key in both files is an error", async () => {
    assert.equal((await run(['config', 'set', '--side', '--reload-command', 'systemctl reload proxmox-backup-proxy', '--acme', 'keytype=rsa-2048'])).code, 0);
    assert.equal((await run(['config', 'set', '--side', '--acmedomain5', 'e.example.com,plugin=cf'])).code, 0);
    assert.equal(readFileSync(join(dir, 'certnode.cfg'), 'utf8'), 'acme: keytype=rsa-2048\nacmedomain5: e.example.com,plugin=cf\nreload-command: systemctl reload proxmox-backup-proxy\n');
    assert.equal((await run(['acme', 'plugin', 'set', '--side', 'cf', '--propagation', 'sleep'])).code, 0);
    assert.match(readFileSync(join(dir, 'acme', 'certnode-plugins.cfg'), 'utf8'), /^dns: cf\n\tpropagation sleep\n/m);
    assert.doesNotMatch(readFileSync(join(dir, 'acme', 'plugins.cfg'), 'utf8'), /propagation/);
    const plugin = await run(['acme', 'plugin', 'config', 'cf', '--output-format', 'json']);
    assert.equal((JSON.parse(plugin.stdout) as { propagation: string }).propagation, 'sleep');
    // what belongs in PBS's files is not taken by the side file
    const wrong = await run(['config', 'set', '--side', '--acme', 'account=other']);
    assert.equal(wrong.stderr, `ERROR: acme: 'account' belongs in '${join(dir, 'node.cfg')}', where Proxmox reads it - set it without --side\n`);
    const wrongPlugin = await run(['acme', 'plugin', 'set', '--side', 'cf', '--validation-delay', '60']);
    assert.equal(wrongPlugin.stderr, `ERROR: validation-delay: 'validation-delay' belongs in '${join(dir, 'acme', 'plugins.cfg')}', where Proxmox reads it - set it without --side\n`);
    // a slot in both files
    const twice = await run(['config', 'set', '--side', '--acmedomain0', 'z.example.com']);
    assert.equal(twice.code, 255);
    assert.equal(twice.stderr, `ERROR: ${join(dir, 'certnode.cfg')}: 'acmedomain0' is set both here and in '${join(dir, 'node.cfg')}' - delete one of them\n`);
    // removing the plugin removes its side settings too
    assert.equal((await run(['config', 'set', '--delete', 'acmedomain0'])).code, 0);
    assert.equal((await run(['config', 'set', '--side', '--delete', 'acmedomain5'])).code, 0);
    assert.equal((await run(['acme', 'plugin', 'remove', 'cf'])).code, 0);
    assert.doesNotMatch(readFileSync(join(dir, 'acme', 'certnode-plugins.cfg'), 'utf8'), /cf/);
    // --side outside a Proxmox layout
    const certnode = await runCli(['config', 'get', '--side'], { configDir: tree() });
    assert.equal(certnode.stderr.split('\n')[0], 'ERROR: side: the certnode layout has no side file: its own files hold every setting (--side is for the pve and pbs layouts)');
  });
});

describe('--node reads', () => {
  test("config get and cert info read another node's files in a cluster tree", async () => {
    const dir = tree();
    mkdirSync(join(dir, 'nodes'));
    const as = (node: string, args: string[]) => runCli(args, { configDir: dir, env: { CERTNODE_NODE: node } });
    assert.equal((await as('alpha', ['config', 'set', '--description', 'alpha here'])).code, 0);
    assert.equal((await as('alpha', ['cert', 'update'])).code, 0);
    const before = snapshot(dir);
    assert.equal((await as('beta', ['--node', 'alpha', 'config', 'get'])).stdout, '#alpha here\n');
    const info = await as('beta', ['--node', 'alpha', 'cert', 'info', '--output-format', 'json']);
    assert.equal(info.code, 0, info.stderr);
    assert.deepEqual(
      (JSON.parse(info.stdout) as { filename: string; source: string }[]).map((r) => [r.filename, r.source]),
      [[join(dir, 'nodes', 'alpha', 'certs', 'certnode.pem'), 'self-signed']],
    );
    // reading changed nothing, not even for beta
    assert.deepEqual(snapshot(dir), before);
    // a node the tree does not have is a typo, not an empty node
    const typo = await as('beta', ['--node', 'alfa', 'cert', 'info']);
    assert.equal(typo.code, 255);
    assert.equal(typo.stderr.split('\n')[0], `ERROR: node: no node 'alfa' in '${dir}' ('${join(dir, 'nodes', 'alfa')}' does not exist; nodes: alpha)`);
    // beta's own: nothing yet
    assert.equal((await as('beta', ['config', 'get'])).stdout, '');
    assert.match((await as('beta', ['cert', 'info'])).stdout, /^No certificate installed: '.*nodes\/beta\/certs\/certnode\.pem' does not exist/);
  });
});

// The certnode cluster tree (<dir>/nodes/<node>/ beside the shared acme/) and the node name
// (--node, CERTNODE_NODE, the short host name), run as the built binary.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, snapshot, tempDir } from '../helpers/cli.ts';

const localNode = hostname().split('.')[0]!;

describe('cluster tree', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  const run = (args: string[], env: Record<string, string> = {}) => runCli(args, { configDir: dir, env });

  test('without nodes/ the tree is a single host: node.cfg and certs/ at the top, CERTNODE_NODE changes nothing', async () => {
    assert.deepEqual(await run(['config', 'set', '--description', 'single'], { CERTNODE_NODE: 'elsewhere' }), { code: 0, stdout: '', stderr: '' });
    assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), '#single\n');
    assert.equal((await run(['cert', 'update'])).code, 0);
    assert.ok(existsSync(join(dir, 'certs', 'certnode.pem')));
    // --node naming this host is the same tree; another node is not in a single-host tree
    assert.equal((await run(['--node', localNode, 'config', 'get'])).stdout, '#single\n');
    const before = snapshot(dir);
    const other = await run(['--node', 'pve2', 'config', 'set', '--description', 'x']);
    assert.equal(other.code, 255);
    assert.equal(
      other.stderr.split('\n')[0],
      `ERROR: node: '${dir}' is a single-host tree (it has no nodes/ directory), so it holds no node 'pve2' - 'mkdir ${join(dir, 'nodes')}' makes it a cluster tree`,
    );
    assert.deepEqual(snapshot(dir), before);
  });

  test('with nodes/, each node has nodes/<node>/node.cfg and certs/; acme/ is shared', async () => {
    mkdirSync(join(dir, 'nodes'));
    mkdirSync(join(dir, 'acme'));
    writeFileSync(join(dir, 'acme', 'plugins.cfg'), 'dns: shared\n\tapi cf\n\n');
    assert.equal((await run(['config', 'set', '--acmedomain0', 'a.example.com,plugin=shared'], { CERTNODE_NODE: 'node1' })).code, 0);
    assert.equal((await run(['--node', 'node2', 'config', 'set', '--acmedomain0', 'b.example.com,plugin=shared'])).code, 0);
    assert.equal(readFileSync(join(dir, 'nodes', 'node1', 'node.cfg'), 'utf8'), 'acmedomain0: a.example.com,plugin=shared\n');
    assert.equal(readFileSync(join(dir, 'nodes', 'node2', 'node.cfg'), 'utf8'), 'acmedomain0: b.example.com,plugin=shared\n');
    // the single-host files stay where they were, untouched
    assert.equal(readFileSync(join(dir, 'node.cfg'), 'utf8'), '#single\n');
    // --node wins over CERTNODE_NODE
    assert.equal((await run(['--node', 'node2', 'config', 'get'], { CERTNODE_NODE: 'node1' })).stdout, 'acmedomain0: b.example.com,plugin=shared\n');
    // a node's certificate goes to its own certs/
    assert.equal((await run(['cert', 'update'], { CERTNODE_NODE: 'node1' })).code, 0);
    assert.ok(existsSync(join(dir, 'nodes', 'node1', 'certs', 'certnode.pem')));
    assert.ok(!existsSync(join(dir, 'nodes', 'node2', 'certs')));
    // the host name is the default node name
    assert.equal((await run(['config', 'set', '--description', 'me'])).code, 0);
    assert.equal(readFileSync(join(dir, 'nodes', localNode, 'node.cfg'), 'utf8'), '#me\n');
  });

  test('node names follow the Proxmox rules; a bad one is refused before any file changes', async () => {
    const before = snapshot(dir);
    for (const [args, env, line] of [
      [['--node', 'bad_name', 'config', 'set', '--description', 'x'], {}, "ERROR: node: invalid node name 'bad_name' (letters, digits and '-', 1..63 characters)"],
      [['--node', '-x', 'config', 'get'], {}, "ERROR: node: invalid node name '-x' (letters, digits and '-', 1..63 characters)"],
      [['config', 'get'], { CERTNODE_NODE: 'a.b' }, "ERROR: CERTNODE_NODE: invalid node name 'a.b' (letters, digits and '-', 1..63 characters)"],
      [['--node', 'x'.repeat(64), 'config', 'get'], {}, `ERROR: node: invalid node name '${'x'.repeat(64)}' (letters, digits and '-', 1..63 characters)`],
    ] as const) {
      const r = await run([...args], env);
      assert.equal(r.code, 255, r.stderr);
      assert.equal(r.stderr.split('\n')[0], line);
    }
    assert.deepEqual(snapshot(dir), before);
  });
});

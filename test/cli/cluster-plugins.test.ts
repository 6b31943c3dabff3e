// One acme/plugins.cfg shared by three nodes, each a certnode in a UTS namespace of its own
// (`unshare -u`, host names n1..n3): all of them add and change plugins at the same time, and no
// write is lost. First on a local tree, then on a real GlusterFS volume mounted twice through
// FUSE, the nodes split across the two mounts (the lock's mkdir, link and mtime go through
// Gluster's FUSE clients, each with its own caches).

import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readText } from '../../src/core/store/store.ts';
import { runCli, tempDir, type RunResult } from '../helpers/cli.ts';
import { GLUSTER_VOLUME_OPTIONS, startGluster, type Gluster } from '../helpers/gluster.ts';

const NODES = ['n1', 'n2', 'n3'];

const PER_NODE = 8;

/** Every file and directory below `dir` (relative), to see that nothing is left over. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = join(prefix, e.name);
    return e.isDirectory() ? [`${rel}/`, ...tree(dir, rel)] : [rel];
  });
}

/** Plugin ids and their data lines, as `acme plugin list` would show them: from the file itself. */
function sections(pluginsCfg: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const block of pluginsCfg.split(/\n\n+/)) {
    const m = /^(\w+): (\S+)\n?([\s\S]*)$/.exec(block.trim());
    if (m) out.set(m[2]!, `${m[1]} ${m[3]!.replace(/\s+/g, ' ').trim()}`);
  }
  return out;
}

/**
 * Three nodes write the same plugins.cfg at once: each adds PER_NODE DNS plugins, then changes
 * each of its plugins' validation delay, all commands of all nodes started together.
 * `roots[i]` is where node i sees the tree (a mount point of its own on GlusterFS).
 */
async function concurrentPluginWrites(roots: readonly string[], dataFile: string): Promise<void> {
  const run = (i: number, args: string[]): Promise<RunResult> => runCli(args, { configDir: roots[i % roots.length]!, hostname: NODES[i]!, timeoutMs: 120_000 });
  const ids = NODES.flatMap((node) => Array.from({ length: PER_NODE }, (_, k) => `${node}-p${k}`));
  const node = (id: string): number => NODES.indexOf(id.split('-')[0]!);

  const added = await Promise.all(ids.map((id) => run(node(id), ['acme', 'plugin', 'add', 'dns', id, '--api', 'cf', '--data', dataFile])));
  added.forEach((r, i) => assert.deepEqual(r, { code: 0, stdout: '', stderr: '' }, `add ${ids[i]}`));
  const set = await Promise.all(ids.map((id, k) => run(node(id), ['acme', 'plugin', 'set', id, '--validation-delay', String(k + 1)])));
  set.forEach((r, i) => assert.deepEqual(r, { code: 0, stdout: '', stderr: '' }, `set ${ids[i]}`));

  // every node reads the same file, with every plugin and every change in it
  // (readText: stale handles retried, and no process abort when close() fails, as on GlusterFS)
  const texts = roots.map((root) => readText(join(root, 'acme', 'plugins.cfg')));
  for (const text of texts) assert.equal(text, texts[0]);
  const found = sections(texts[0]!);
  assert.deepEqual([...found.keys()].sort(), ['standalone', ...ids].sort());
  ids.forEach((id, k) => assert.equal(found.get(id), `dns api cf data Q0ZfVG9rZW49c2VjcmV0Cg validation-delay ${k + 1}`, id));
  // and through certnode, from each node: the file parses
  for (const [i, root] of roots.entries()) {
    const r = await runCli(['acme', 'plugin', 'list', '--output-format', 'json'], { configDir: root, hostname: NODES[i]! });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, ids.length + 1);
  }
  // no lock, reclaim, temp file or half-removed lock left
  assert.deepEqual(tree(roots[0]!).filter((f) => !/^acme\/?$|^acme\/plugins\.cfg$/.test(f)), []);
}

describe('plugins.cfg written by three nodes at once', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  const dataFile = join(dir, 'cf.data');
  writeFileSync(dataFile, 'CF_Token=secret\n');

  test('on a local tree: nothing lost', async () => {
    const root = join(dir, 'local');
    await concurrentPluginWrites([root, root, root], dataFile);
  });

  describe('on GlusterFS, mounted twice', () => {
    let gluster: Gluster | undefined;
    before(async () => {
      gluster = await startGluster({ volumeOptions: GLUSTER_VOLUME_OPTIONS });
    });
    after(async () => {
      await gluster?.stop();
    });

    test('n1 and n2 on one mount, n3 on the other: nothing lost', async () => {
      const [a, b] = gluster!.mounts;
      try {
        await concurrentPluginWrites([join(a, 'tree'), join(a, 'tree'), join(b, 'tree')], dataFile);
      } catch (err) {
        if (err instanceof Error) err.message += `\n${gluster!.logs()}`;
        throw err;
      }
    });
  });
});

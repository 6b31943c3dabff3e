// Three nodes on one cluster tree (<dir>/nodes/<node>/ beside the shared acme/), each a certnode
// in a UTS namespace of its own (`unshare -u`, host names n1..n3, which are their node names):
// they order at the same time against a real Pebble (dns-01 through pebble-challtestsrv), each
// gets a certificate for its own names only, and the shared account and plugins.cfg stay as they
// were. One node never runs two tasks at once, and the refusal names the holder. Then the same
// on a real GlusterFS volume mounted twice, the nodes split across the two mounts.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readText } from '../../src/core/store/store.ts';
import { pairMatches } from '../helpers/certs.ts';
import { runCli, tempDir, type RunResult } from '../helpers/cli.ts';
import { GLUSTER_VOLUME_OPTIONS, startGluster, type Gluster } from '../helpers/gluster.ts';
import { pebbleFixture, type Pebble } from '../helpers/pebble.ts';

const NODES = ['n1', 'n2', 'n3'];
const TOKEN = 'tok-cluster-4711';

const fixture = pebbleFixture({ authzReuse: 0, nonceReject: 0 });
const { dir: scratch, cleanup } = tempDir();
before(() => fixture.start());
after(async () => {
  await fixture.stop();
  cleanup();
});

/** Every file and directory below `dir` (relative). */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = join(prefix, e.name);
    return e.isDirectory() ? [`${rel}/`, ...tree(dir, rel)] : [rel];
  });
}

const names = (node: string): string[] => [`${node}.cluster.test`, `www.${node}.cluster.test`];

function sans(pem: string): string[] {
  return (new X509Certificate(pem).subjectAltName ?? '')
    .split(', ')
    .map((s) => s.replace(/^DNS:/, ''))
    .sort();
}

/**
 * `roots[i]` is where node i sees the tree (on GlusterFS: a mount point of its own). The account
 * and the DNS plugin are set up once, from n1; every node sets its own domains from itself.
 */
async function clusterOrders(pebble: Pebble, roots: readonly string[]): Promise<void> {
  const env = { ...pebble.env, CERTNODE_DNS_RESOLVERS: pebble.challtestsrv.dnsAddr };
  const run = (i: number, args: string[]): Promise<RunResult> => runCli(args, { configDir: roots[i]!, hostname: NODES[i]!, env, timeoutMs: 120_000 });
  const ok = async (i: number, args: string[]): Promise<RunResult> => {
    const r = await run(i, args);
    assert.equal(r.code, 0, `${NODES[i]}: certnode ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const root = roots[0]!;
  // a cluster tree: nodes/ exists
  mkdirSync(join(root, 'nodes'), { recursive: true });
  await ok(0, ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', pebble.directoryUrl, '--agree-tos']);
  const data = join(scratch, 'chall.data');
  writeFileSync(data, `CERTNODETEST_URL=${pebble.challtestsrv.managementUrl}\nCERTNODETEST_TOKEN=${TOKEN}\n`);
  await ok(0, ['acme', 'plugin', 'add', 'dns', 'chall', '--api', 'certnodetest', '--data', data, '--validation-delay', '0']);
  // a slow plugin for n1's second task check: its add call takes 3 s, so the order holds the task
  // lock that long (validation-delay only bounds the propagation check, which may pass at once)
  const slowData = join(scratch, 'slow.data');
  writeFileSync(slowData, `CERTNODETEST_URL=${pebble.challtestsrv.managementUrl}\nCERTNODETEST_TOKEN=${TOKEN}\nCERTNODETEST_SLEEP=3\n`);
  await ok(0, ['acme', 'plugin', 'add', 'dns', 'slow', '--api', 'certnodetest', '--data', slowData, '--validation-delay', '4']);
  for (const [i, node] of NODES.entries()) {
    const [a, b] = names(node);
    await ok(i, ['config', 'set', '--acmedomain0', `domain=${a},plugin=chall`, '--acmedomain1', `domain=${b},plugin=chall`]);
  }
  // every node's config went to its own nodes/<host name>/
  for (const node of NODES) assert.equal(readText(join(root, 'nodes', node, 'node.cfg')), `acmedomain0: domain=${names(node)[0]},plugin=chall\nacmedomain1: domain=${names(node)[1]},plugin=chall\n`);
  const shared = () => ({ plugins: readText(join(root, 'acme', 'plugins.cfg')), account: readText(join(root, 'acme', 'accounts', 'default')) });
  const sharedBefore = shared();

  // all three at once
  const orders = await Promise.all(NODES.map((_, i) => run(i, ['acme', 'cert', 'order'])));
  orders.forEach((r, i) => assert.equal(r.code, 0, `${NODES[i]}: ${r.stdout}\n${r.stderr}`));
  for (const node of NODES) {
    const certs = join(root, 'nodes', node, 'certs');
    const chain = readText(join(certs, 'certnode.pem'));
    assert.deepEqual(sans(chain), names(node).sort(), `${node} got its own names only`);
    assert.ok(pairMatches(chain, readText(join(certs, 'certnode.key'))), `${node}: key matches`);
  }
  // what every node reads through its own mount: the same shared files, unchanged
  for (const r of roots) assert.deepEqual({ plugins: readText(join(r, 'acme', 'plugins.cfg')), account: readText(join(r, 'acme', 'accounts', 'default')) }, sharedBefore);
  // another node's certificate, read from n1
  const info = await ok(0, ['--node', 'n2', 'cert', 'info', '--output-format', 'json']);
  assert.match(info.stdout, /n2\.cluster\.test/);
  assert.doesNotMatch(info.stdout, /n1\.cluster\.test|n3\.cluster\.test/);

  // one node, one task at a time: n1's slow order holds n1's task lock...
  await ok(0, ['config', 'set', '--acmedomain1', `domain=${names('n1')[1]},plugin=slow`]);
  const first = run(0, ['acme', 'cert', 'order', '--force']);
  const owner = join(root, 'nodes', 'n1', 'certs', 'acme-task.lock', 'owner');
  for (let i = 0; i < 600 && !existsSync(owner); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(existsSync(owner), "n1's order took its task lock");
  // ...a second task on n1 is refused at once, naming the holder; n2 orders meanwhile
  const [second, other] = await Promise.all([run(0, ['acme', 'cert', 'renew', '--force']), run(1, ['acme', 'cert', 'order', '--force'])]);
  assert.equal(second.code, 255);
  assert.match(
    second.stderr,
    new RegExp(`^Task ERROR: another certnode order, renewal or revocation is running \\(lock '${join(roots[0]!, 'nodes', 'n1', 'certs', 'acme-task.lock')}', held by n1 pid \\d+ since \\S+, last refreshed \\d+ s ago\\)\\n$`),
  );
  assert.equal(other.code, 0, other.stderr);
  const firstDone = await first;
  assert.equal(firstDone.code, 0, firstDone.stderr);
  assert.deepEqual(sans(readText(join(root, 'nodes', 'n1', 'certs', 'certnode.pem'))), names('n1').sort());

  // nothing left over: no lock, temp file, staged file or journal
  assert.deepEqual(
    tree(root).filter((f) => /\.lock\/?$|\.reclaim|\.gone-|\.tmp-|certnode-new|\.journal$/.test(f)),
    [],
  );
}

describe('three nodes on one cluster tree', () => {
  test(
    'on a local tree: concurrent orders, each node its own names, shared files unchanged',
    fixture.withLogs(async () => {
      await clusterOrders(fixture.get(), NODES.map(() => join(scratch, 'local')));
    }),
  );

  describe('on GlusterFS, mounted twice', () => {
    let gluster: Gluster | undefined;
    before(async () => {
      gluster = await startGluster({ volumeOptions: GLUSTER_VOLUME_OPTIONS });
    });
    after(async () => {
      await gluster?.stop();
    });

    test(
      'n1 and n2 on one mount, n3 on the other',
      fixture.withLogs(async () => {
        const [a, b] = gluster!.mounts;
        try {
          await clusterOrders(fixture.get(), [join(a, 'tree'), join(a, 'tree'), join(b, 'tree')]);
        } catch (err) {
          if (err instanceof Error) err.message += `\n${gluster!.logs()}`;
          throw err;
        }
      }),
    );
  });
});

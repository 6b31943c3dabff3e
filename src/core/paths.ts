// Where certnode's files live under the config dir: the layout (certnode, pve, pbs), the node name,
// and the cluster tree (nodes/<node>/ beside the shared acme/).
//
// certnode, single host (no <dir>/nodes/):   node.cfg, certs/, acme/plugins.cfg, acme/accounts/<name>
// certnode, cluster tree (<dir>/nodes/ exists): nodes/<node>/{node.cfg,certs/}, shared acme/
// pve (/etc/pve):   nodes/<node>/config, nodes/<node>/pveproxy-ssl.{pem,key}, priv/acme/plugins.cfg,
//                   priv/acme/<account>; certnode's own: nodes/<node>/certnode.cfg (side file),
//                   nodes/<node>/certnode/ (install and run state, task lock),
//                   priv/acme/certnode-plugins.cfg (plugin side file)
// pbs (/etc/proxmox-backup): node.cfg, proxy.{pem,key}, acme/plugins.cfg, acme/accounts/<name>;
//                   certnode's own: certnode.cfg, certnode/, acme/certnode-plugins.cfg

import * as fs from 'node:fs';
import { hostname } from 'node:os';
import * as path from 'node:path';
import { UsageError } from './errors.ts';

export const LAYOUTS = ['certnode', 'pve', 'pbs'] as const;
export type Layout = (typeof LAYOUTS)[number];

export interface Paths {
  configDir: string;
  layout: Layout;
  /** The node this invocation acts as (--node, CERTNODE_NODE, the short host name). */
  node: string;
  /** Whether the tree holds several nodes: a certnode cluster tree (<dir>/nodes/ exists) or pve. */
  cluster: boolean;
  /** The node's own directory: <dir> on a single host and in pbs, <dir>/nodes/<node> in a cluster tree and pve. */
  nodeDir: string;
  nodeCfg: string;
  /** certnode's side file for the node settings Proxmox cannot hold (pve, pbs; undefined in the certnode layout). */
  nodeSideCfg: string | undefined;
  acmeDir: string;
  pluginsCfg: string;
  /** certnode's side file for the plugin settings Proxmox cannot hold (pve, pbs). */
  pluginsSideCfg: string | undefined;
  accountsDir: string;
  /** certnode's own per-node directory: the install state, the task lock (and the default pair in the certnode layout). */
  certsDir: string;
  /** Default `cert-file` (the chain) and `cert-key-file` when node.cfg sets none. */
  defaultCertFile: string;
  defaultCertKeyFile: string;
  /** Where the installed pair came from (acme, custom, self-signed); also the certificate lock. */
  certStateFile: string;
  /** What the last order/renew/revoke runs ended with (notifications, metrics, rate limits). */
  runStateFile: string;
}

export const DEFAULT_CONFIG_DIR = '/etc/certnode';

/** Proxmox node names: letters, digits and '-', not starting or ending with '-', 1..63 characters. */
const NODE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

export function checkNodeName(name: string, param = 'node'): string {
  if (!NODE_NAME.test(name)) throw new UsageError(`invalid node name '${name.length > 70 ? `${name.slice(0, 67)}...` : name}' (letters, digits and '-', 1..63 characters)`, param);
  return name;
}

/** The paths of `node` in a tree of `layout`; `cluster` only matters for the certnode layout. */
export function layoutPaths(configDir: string, layout: Layout, node: string, cluster: boolean): Paths {
  const dir = path.resolve(configDir);
  if (layout === 'pve') {
    const nodeDir = path.join(dir, 'nodes', node);
    const acmeDir = path.join(dir, 'priv', 'acme');
    const certsDir = path.join(nodeDir, 'certnode');
    return {
      configDir: dir,
      layout,
      node,
      cluster: true,
      nodeDir,
      nodeCfg: path.join(nodeDir, 'config'),
      nodeSideCfg: path.join(nodeDir, 'certnode.cfg'),
      acmeDir,
      pluginsCfg: path.join(acmeDir, 'plugins.cfg'),
      pluginsSideCfg: path.join(acmeDir, 'certnode-plugins.cfg'),
      accountsDir: acmeDir,
      certsDir,
      defaultCertFile: path.join(nodeDir, 'pveproxy-ssl.pem'),
      defaultCertKeyFile: path.join(nodeDir, 'pveproxy-ssl.key'),
      certStateFile: path.join(certsDir, 'certnode.json'),
      runStateFile: path.join(certsDir, 'certnode-runs.json'),
    };
  }
  if (layout === 'pbs') {
    const acmeDir = path.join(dir, 'acme');
    const certsDir = path.join(dir, 'certnode');
    return {
      configDir: dir,
      layout,
      node,
      cluster: false,
      nodeDir: dir,
      nodeCfg: path.join(dir, 'node.cfg'),
      nodeSideCfg: path.join(dir, 'certnode.cfg'),
      acmeDir,
      pluginsCfg: path.join(acmeDir, 'plugins.cfg'),
      pluginsSideCfg: path.join(acmeDir, 'certnode-plugins.cfg'),
      accountsDir: path.join(acmeDir, 'accounts'),
      certsDir,
      defaultCertFile: path.join(dir, 'proxy.pem'),
      defaultCertKeyFile: path.join(dir, 'proxy.key'),
      certStateFile: path.join(certsDir, 'certnode.json'),
      runStateFile: path.join(certsDir, 'certnode-runs.json'),
    };
  }
  const nodeDir = cluster ? path.join(dir, 'nodes', node) : dir;
  const acmeDir = path.join(dir, 'acme');
  const certsDir = path.join(nodeDir, 'certs');
  return {
    configDir: dir,
    layout,
    node,
    cluster,
    nodeDir,
    nodeCfg: path.join(nodeDir, 'node.cfg'),
    nodeSideCfg: undefined,
    acmeDir,
    pluginsCfg: path.join(acmeDir, 'plugins.cfg'),
    pluginsSideCfg: undefined,
    accountsDir: path.join(acmeDir, 'accounts'),
    certsDir,
    defaultCertFile: path.join(certsDir, 'certnode.pem'),
    defaultCertKeyFile: path.join(certsDir, 'certnode.key'),
    certStateFile: path.join(certsDir, 'certnode.json'),
    // beside node.cfg, not in certs/: a failed order leaves the certificate directory byte-identical
    runStateFile: path.join(nodeDir, 'certnode-runs.json'),
  };
}

/** The single-host certnode tree (tests and callers that know no layout). */
export function configPaths(configDir: string): Paths {
  return layoutPaths(configDir, 'certnode', localNodeName({}), false);
}

/** The short host name (up to the first dot), or CERTNODE_NODE; not checked. */
export function localNodeName(env: Readonly<Record<string, string | undefined>>): string {
  return env.CERTNODE_NODE || hostname().split('.')[0] || 'localhost';
}

/** What in a tree tells its layout: [layout, the entry that says so]. */
const MARKERS: readonly (readonly [Layout, string])[] = [
  ['pve', 'priv'],
  ['pve', 'corosync.conf'],
  ['pve', 'datacenter.cfg'],
  ['pve', 'storage.cfg'],
  ['pve', 'pve-root-ca.pem'],
  ['pbs', 'proxy.pem'],
  ['pbs', 'proxy.key'],
  ['pbs', 'datastore.cfg'],
  ['pbs', '.node.lck'],
  ['certnode', 'certs'],
  ['certnode', 'certnode-runs.json'],
];

const NODE_MARKERS: readonly (readonly [Layout, string])[] = [
  ['pve', 'config'],
  ['pve', 'pveproxy-ssl.pem'],
  ['certnode', 'node.cfg'],
  ['certnode', 'certs'],
];

/**
 * The layout a tree has, from what is in it: PVE's priv/, corosync.conf, datacenter.cfg,
 * storage.cfg or pve-root-ca.pem; PBS's proxy.pem, proxy.key, datastore.cfg or .node.lck;
 * certnode's certs/ or certnode-runs.json; under nodes/<node>/, PVE's config or pveproxy-ssl.pem,
 * certnode's node.cfg or certs/. A tree with none of them (new, or
 * only node.cfg and acme/) is a certnode tree. Marks of two layouts are ambiguous: an error
 * naming both, asking for --layout.
 */
export function detectLayout(configDir: string): Layout {
  const dir = path.resolve(configDir);
  const found = new Map<Layout, string>();
  for (const [layout, entry] of MARKERS) {
    if (!found.has(layout) && fs.existsSync(path.join(dir, entry))) found.set(layout, entry);
  }
  // per node: certnode's nodes/<node>/node.cfg or certs/, PVE's nodes/<node>/config or pveproxy-ssl.pem
  for (const node of nodeNames(dir)) {
    for (const [layout, entry] of NODE_MARKERS) {
      if (!found.has(layout) && fs.existsSync(path.join(dir, 'nodes', node, entry))) found.set(layout, `nodes/${node}/${entry}`);
    }
  }
  if (found.size > 1) {
    const order: Layout[] = ['pve', 'pbs', 'certnode'];
    const seen = [...found]
      .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
      .map(([layout, entry]) => `${layout} (${entry})`)
      .join(' and ');
    throw new UsageError(`cannot tell the layout of '${dir}': it has marks of ${seen} - say which with --layout or CERTNODE_LAYOUT`, 'layout');
  }
  return found.keys().next().value ?? 'certnode';
}

/** The node directories of a cluster tree (sorted; none when there is no nodes/). */
export function nodeNames(configDir: string): string[] {
  try {
    return fs
      .readdirSync(path.join(configDir, 'nodes'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && NODE_NAME.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

export interface PathOptions {
  configDir: string;
  /** --layout (undefined: CERTNODE_LAYOUT, else detected). */
  layout: string | undefined;
  /** --node (undefined: CERTNODE_NODE, else the short host name). */
  node: string | undefined;
  env: Readonly<Record<string, string | undefined>>;
}

/** The paths an invocation works with: layout and node resolved and checked. */
export function resolvePaths(opts: PathOptions): Paths {
  const dir = path.resolve(opts.configDir);
  const layoutText = opts.layout ?? (opts.env.CERTNODE_LAYOUT || undefined);
  if (layoutText !== undefined && !(LAYOUTS as readonly string[]).includes(layoutText)) {
    throw new UsageError(`value '${layoutText}' does not have a value in the enumeration '${LAYOUTS.join(', ')}'`, 'layout');
  }
  const layout = (layoutText as Layout | undefined) ?? detectLayout(dir);
  if (opts.node !== undefined) checkNodeName(opts.node);
  if (layout === 'pbs') {
    if (opts.node !== undefined) throw new UsageError(`the pbs layout holds one node only ('${dir}/node.cfg'); --node is for pve and certnode cluster trees`, 'node');
    return layoutPaths(dir, layout, localNodeName(opts.env), false);
  }
  const cluster = layout === 'pve' || isDirectory(path.join(dir, 'nodes'));
  const local = opts.node ?? localNodeName(opts.env);
  if (!cluster) {
    if (opts.node !== undefined && opts.node !== localNodeName(opts.env)) {
      throw new UsageError(`'${dir}' is a single-host tree (it has no nodes/ directory), so it holds no node '${opts.node}' - 'mkdir ${path.join(dir, 'nodes')}' makes it a cluster tree`, 'node');
    }
    return layoutPaths(dir, layout, local, false);
  }
  checkNodeName(local, opts.node !== undefined ? 'node' : opts.env.CERTNODE_NODE ? 'CERTNODE_NODE' : 'node (the host name)');
  return layoutPaths(dir, layout, local, true);
}

/**
 * For commands that only read another node (config get, cert info): an explicit --node naming a
 * node the tree has no directory for is a typo far more often than a node yet to write.
 */
export function requireNodeDir(paths: Paths, explicitNode: string | undefined): void {
  if (explicitNode === undefined || !paths.cluster || isDirectory(paths.nodeDir)) return;
  const known = nodeNames(paths.configDir);
  throw new UsageError(`no node '${explicitNode}' in '${paths.configDir}' ('${paths.nodeDir}' does not exist${known.length ? `; nodes: ${known.join(', ')}` : ''})`, 'node');
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

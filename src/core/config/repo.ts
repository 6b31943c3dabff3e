// Loading and updating the configuration files: read, check digest, change, write — under a lock.

import { parseNodeCfg, serializeNodeCfg, type NodeConfig } from './node-cfg.ts';
import { parsePluginsCfg, serializePluginsCfg, type PluginsConfig } from './plugins-cfg.ts';
import type { Paths } from '../paths.ts';
import { mergeNodeSide, mergePluginsSide } from './proxmox-rules.ts';
import {
  checkDigest,
  PUBLIC_DIR_MODE,
  PUBLIC_FILE_MODE,
  readTextIfExists,
  SECRET_DIR_MODE,
  SECRET_FILE_MODE,
  sha256Hex,
  withLock,
  LOCK_WAIT_MS,
  MAX_CONFIG_FILE_BYTES,
  writeFileAtomic,
} from '../store/store.ts';

const LOCK_TIMEOUT_MS = LOCK_WAIT_MS;

export interface Loaded<T> {
  config: T;
  /** SHA-256 of the file bytes as read ('' when missing). */
  digest: string;
}

/** The plugins as certnode uses them (in a Proxmox layout with certnode's side settings added); the digest is plugins.cfg's. */
export function loadPlugins(paths: Paths): Loaded<PluginsConfig> {
  const loaded = loadPluginsFile(paths.pluginsCfg);
  if (paths.pluginsSideCfg === undefined) return loaded;
  const side = loadPluginsFile(paths.pluginsSideCfg).config;
  return { config: mergePluginsSide(loaded.config, side, { main: paths.pluginsCfg, side: paths.pluginsSideCfg }), digest: loaded.digest };
}

/** One plugins file as it is (plugins.cfg or certnode's side file). */
export function loadPluginsFile(file: string): Loaded<PluginsConfig> {
  const raw = readTextIfExists(file, MAX_CONFIG_FILE_BYTES) ?? '';
  return { config: parsePluginsCfg(raw, file), digest: sha256Hex(raw) };
}

/** The node's settings as certnode uses them (in a Proxmox layout with the side file's added); the digest is the node file's. */
export function loadNodeConfig(paths: Paths): Loaded<NodeConfig> {
  const loaded = loadNodeFile(paths.nodeCfg);
  if (paths.nodeSideCfg === undefined) return loaded;
  const side = loadNodeFile(paths.nodeSideCfg).config;
  return { config: mergeNodeSide(loaded.config, side, { main: paths.nodeCfg, side: paths.nodeSideCfg }), digest: loaded.digest };
}

/** One node file as it is (node.cfg / PVE's config, or certnode's side file). */
export function loadNodeFile(file: string): Loaded<NodeConfig> {
  const raw = readTextIfExists(file, MAX_CONFIG_FILE_BYTES) ?? '';
  return { config: parseNodeCfg(raw, file), digest: sha256Hex(raw) };
}

/**
 * Change plugins.cfg (or `file`, certnode's side file): lock, re-read, compare `digest`, apply `change`, write atomically (0600 in a
 * 0700 dir). Resolves to whether anything changed: a change that leaves the configuration as it
 * was writes nothing (same inode, same mtime), so provisioning runs are idempotent.
 */
export function updatePlugins(paths: Paths, digest: string | undefined, change: (cfg: PluginsConfig) => void, file = paths.pluginsCfg): Promise<boolean> {
  return withLock(file, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: SECRET_DIR_MODE }, () => {
    const raw = readTextIfExists(file, MAX_CONFIG_FILE_BYTES) ?? '';
    checkDigest(digest, raw);
    const cfg = parsePluginsCfg(raw, file);
    change(cfg);
    // only the changed sections' lines differ from `raw`: an unchanged model gives back the same bytes
    const after = serializePluginsCfg(cfg);
    if (after === raw) return false;
    writeFileAtomic(file, after, { mode: SECRET_FILE_MODE, dirMode: SECRET_DIR_MODE });
    return true;
  });
}

/** Change node.cfg the same way (0644: it holds no secrets); resolves to whether anything changed. */
export function updateNodeConfig(paths: Paths, digest: string | undefined, change: (cfg: NodeConfig) => void, file = paths.nodeCfg): Promise<boolean> {
  return withLock(file, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, () => {
    const raw = readTextIfExists(file, MAX_CONFIG_FILE_BYTES) ?? '';
    checkDigest(digest, raw);
    const cfg = parseNodeCfg(raw, file);
    change(cfg);
    // only the changed lines differ from `raw`: an unchanged model gives back the same bytes
    const after = serializeNodeCfg(cfg);
    if (after === raw) return false;
    writeFileAtomic(file, after, { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE });
    return true;
  });
}

// Loading and updating the configuration files: read, check digest, change, write — under a lock.

import { parseNodeCfg, serializeNodeCfg, type NodeConfig } from './node-cfg.ts';
import { parsePluginsCfg, serializePluginsCfg, type PluginsConfig } from './plugins-cfg.ts';
import type { Paths } from '../paths.ts';
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

export function loadPlugins(paths: Paths): Loaded<PluginsConfig> {
  const raw = readTextIfExists(paths.pluginsCfg, MAX_CONFIG_FILE_BYTES) ?? '';
  return { config: parsePluginsCfg(raw, paths.pluginsCfg), digest: sha256Hex(raw) };
}

export function loadNodeConfig(paths: Paths): Loaded<NodeConfig> {
  const raw = readTextIfExists(paths.nodeCfg, MAX_CONFIG_FILE_BYTES) ?? '';
  return { config: parseNodeCfg(raw, paths.nodeCfg), digest: sha256Hex(raw) };
}

/**
 * Change plugins.cfg: lock, re-read, compare `digest`, apply `change`, write atomically (0600 in a
 * 0700 dir). Resolves to whether anything changed: a change that leaves the configuration as it
 * was writes nothing (same inode, same mtime), so provisioning runs are idempotent.
 */
export function updatePlugins(paths: Paths, digest: string | undefined, change: (cfg: PluginsConfig) => void): Promise<boolean> {
  return withLock(paths.pluginsCfg, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: SECRET_DIR_MODE }, () => {
    const raw = readTextIfExists(paths.pluginsCfg, MAX_CONFIG_FILE_BYTES) ?? '';
    checkDigest(digest, raw);
    const cfg = parsePluginsCfg(raw, paths.pluginsCfg);
    change(cfg);
    // only the changed sections' lines differ from `raw`: an unchanged model gives back the same bytes
    const after = serializePluginsCfg(cfg);
    if (after === raw) return false;
    writeFileAtomic(paths.pluginsCfg, after, { mode: SECRET_FILE_MODE, dirMode: SECRET_DIR_MODE });
    return true;
  });
}

/** Change node.cfg the same way (0644: it holds no secrets); resolves to whether anything changed. */
export function updateNodeConfig(paths: Paths, digest: string | undefined, change: (cfg: NodeConfig) => void): Promise<boolean> {
  return withLock(paths.nodeCfg, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, () => {
    const raw = readTextIfExists(paths.nodeCfg, MAX_CONFIG_FILE_BYTES) ?? '';
    checkDigest(digest, raw);
    const cfg = parseNodeCfg(raw, paths.nodeCfg);
    change(cfg);
    // only the changed lines differ from `raw`: an unchanged model gives back the same bytes
    const after = serializeNodeCfg(cfg);
    if (after === raw) return false;
    writeFileAtomic(paths.nodeCfg, after, { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE });
    return true;
  });
}

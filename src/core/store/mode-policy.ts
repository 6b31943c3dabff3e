// How the file system under the config dir takes modes (store.ts asks; src/cli.ts sets it from the
// layout). Apart from store.ts so that the start-up path can set it without loading the store.

import * as path from 'node:path';

/**
 * How the file system under the config dir takes modes. Proxmox's pmxcfs (/etc/pve, the pve
 * layout) refuses every chmod but to 0600 below priv/ and 0640 elsewhere (EPERM), and shows all
 * files as root:www-data with those modes anyway: there files get exactly those modes and
 * directories are never chmod-ed. Set once per process (src/cli.ts) from the layout.
 */
export interface ModePolicy {
  fileMode(file: string, requested: number): number;
  /** Leave directory modes to the file system. */
  keepDirModes: boolean;
  /** A replaced file keeps its group, and its group bits (never more for others than asked). */
  keepGroup?: boolean;
}

let modePolicy: ModePolicy | undefined;

export function currentModePolicy(): ModePolicy | undefined {
  return modePolicy;
}

export function setModePolicy(policy: ModePolicy | undefined): void {
  modePolicy = policy;
}

/** pmxcfs's modes for a tree at `root` (/etc/pve): 0600 below root/priv/, 0640 elsewhere. */
export function pmxcfsModes(root: string): ModePolicy {
  const priv = `${path.resolve(root, 'priv')}${path.sep}`;
  return { fileMode: (file) => (path.resolve(file).startsWith(priv) ? 0o600 : 0o640), keepDirModes: true };
}

/**
 * PBS (/etc/proxmox-backup): its files are root:backup with group bits where the daemons running
 * as user backup read them (node.cfg 0640): a rewrite keeps them.
 */
export function keepGroupModes(): ModePolicy {
  return { fileMode: (_file, requested) => requested, keepDirModes: false, keepGroup: true };
}


// certnode config get [--property KEY]

import { UsageError } from '../../core/errors.ts';
import { parseBoolean } from '../../core/config/formats.ts';
import { nodeCfgFlavour, serializeNodeCfg, type NodeConfig } from '../../core/config/node-cfg.ts';
import { isDomainKey, nodeConfigKeys } from '../../core/config/node.ts';
import { sideNeedsProxmox } from '../../core/config/proxmox-rules.ts';
import { loadNodeFile } from '../../core/config/repo.ts';
import { requireNodeDir } from '../../core/paths.ts';
import type { LeafCommand } from '../command.ts';

export const command: LeafCommand<{ property: string | undefined; side: boolean }> = {
  parse(_args, raw, env) {
    const side = raw.side === undefined ? false : parseBoolean(raw.side, 'side');
    if (side && env.paths.nodeSideCfg === undefined) throw sideNeedsProxmox(env.paths.layout);
    const property = raw.property;
    if (property !== undefined && !nodeConfigKeys().includes(property) && !isDomainKey(property)) {
      throw new UsageError(`value '${property}' is not a node configuration key`, 'property');
    }
    return { property, side };
  },
  async run(env, opts) {
    requireNodeDir(env.paths, env.globals.node);
    // the node's own file (in a Proxmox layout PVE's/PBS's; --side: certnode's side file); shown as
    // a fresh model — as the writers would write it (sorted, no comments), in the file's flavour
    const { config, digest } = loadNodeFile(opts.side ? env.paths.nodeSideCfg! : env.paths.nodeCfg);
    let shown: NodeConfig = { description: config.description, entries: config.entries };
    if (opts.property !== undefined) {
      const entries = new Map<string, string>();
      const value = config.entries.get(opts.property);
      if (value !== undefined) entries.set(opts.property, value);
      shown = { description: opts.property === 'description' ? config.description : undefined, entries };
    }
    const data: Record<string, unknown> = Object.fromEntries(shown.entries);
    if (shown.description !== undefined) data.description = shown.description;
    if (opts.property === undefined) data.digest = digest;
    return { kind: 'text', text: serializeNodeCfg(shown, { flavour: nodeCfgFlavour(config) }), data };
  },
};

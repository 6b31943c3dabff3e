// certnode config get [--property KEY]

import { UsageError } from '../../core/errors.ts';
import { nodeCfgFlavour, serializeNodeCfg, type NodeConfig } from '../../core/config/node-cfg.ts';
import { isDomainKey, nodeConfigKeys } from '../../core/config/node.ts';
import { loadNodeConfig } from '../../core/config/repo.ts';
import type { LeafCommand } from '../command.ts';

export const command: LeafCommand<{ property: string | undefined }> = {
  parse(_args, raw) {
    const property = raw.property;
    if (property !== undefined && !nodeConfigKeys().includes(property) && !isDomainKey(property)) {
      throw new UsageError(`value '${property}' is not a node configuration key`, 'property');
    }
    return { property };
  },
  async run(env, opts) {
    const { config, digest } = loadNodeConfig(env.paths);
    // a fresh model: shown as the writers would write it (sorted, no comments), in the file's flavour
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

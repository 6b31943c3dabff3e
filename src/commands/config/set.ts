// certnode config set [--acme ...] [--acmedomainN ...] [--description ...] [--delete LIST] [--digest D]

import { UsageError } from '../../core/errors.ts';
import { splitList } from '../../core/config/formats.ts';
import { certSettings, checkAcmeValue, checkCertSettingValue, checkDomainValue, configuredDomains, isDomainKey, nodeConfigKeys } from '../../core/config/node.ts';
import { loadPlugins, updateNodeConfig } from '../../core/config/repo.ts';
import { changeResult } from '../../core/output/render.ts';
import type { LeafCommand } from '../command.ts';

export interface SetOptions {
  /** key -> value exactly as typed. */
  values: Map<string, string>;
  deletes: string[];
  digest: string | undefined;
}

/** commander's camelCase option name for a node key (acmedomain0 stays, description stays). */
export const nodeKeyOption = (key: string): string => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export const command: LeafCommand<SetOptions> = {
  parse(_args, raw) {
    const values = new Map<string, string>();
    for (const key of nodeConfigKeys()) {
      const value = raw[nodeKeyOption(key)];
      if (value === undefined) continue;
      if (key === 'acme') checkAcmeValue(value);
      else if (isDomainKey(key)) checkDomainValue(value, key);
      else checkCertSettingValue(key, value);
      values.set(key, value);
    }
    const deletes = raw.delete === undefined ? [] : splitList(raw.delete);
    for (const key of deletes) {
      if (values.has(key)) throw new UsageError(`cannot set and delete option '${key}' at the same time`, 'delete');
    }
    if (values.size === 0 && deletes.length === 0) throw new UsageError('no options specified');
    return { values, deletes, digest: raw.digest };
  },
  async run(env, opts) {
    const plugins = loadPlugins(env.paths).config;
    const changed = await updateNodeConfig(env.paths, opts.digest, (cfg) => {
      for (const key of opts.deletes) {
        if (key === 'description') cfg.description = undefined;
        else if (cfg.entries.has(key) || nodeConfigKeys().includes(key)) cfg.entries.delete(key);
        else throw new UsageError(`no such option '${key}'`, 'delete');
      }
      for (const [key, value] of opts.values) {
        if (key === 'description') cfg.description = value === '' ? undefined : value;
        else cfg.entries.set(key, value);
      }
      configuredDomains(cfg, plugins);
      certSettings(cfg, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile });
    });
    return changeResult(changed);
  },
};

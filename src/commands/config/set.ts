// certnode config set [--acme ...] [--acmedomainN ...] [--description ...] [--delete LIST] [--digest D]

import { UsageError } from '../../core/errors.ts';
import { splitList } from '../../core/config/formats.ts';
import { certSettings, checkAcmeValue, checkCertSettingValue, checkDomainValue, configuredDomains, isDomainKey, nodeAccount, nodeConfigKeys } from '../../core/config/node.ts';
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
    let accountBefore: string | undefined;
    let accountAfter: string | undefined;
    let accountBound: string[] = [];
    const changed = await updateNodeConfig(env.paths, opts.digest, (cfg) => {
      accountBefore = nodeAccount(cfg);
      for (const key of opts.deletes) {
        if (key === 'description') cfg.description = undefined;
        else if (cfg.entries.has(key) || nodeConfigKeys().includes(key)) cfg.entries.delete(key);
        else throw new UsageError(`no such option '${key}'`, 'delete');
      }
      for (const [key, value] of opts.values) {
        if (key === 'description') cfg.description = value === '' ? undefined : value;
        else cfg.entries.set(key, value);
      }
      accountBound = configuredDomains(cfg, plugins)
        .filter((d) => d.challenges?.some((c) => c === 'dns-persist-01'))
        .map((d) => d.domain);
      accountAfter = nodeAccount(cfg);
      certSettings(cfg, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile });
    });
    // dns-persist-01 records name the account: another account needs new ones
    if (accountBefore !== accountAfter && accountBound.length > 0 && !env.globals.quiet) {
      env.ctx.io.stderr.write(
        `WARNING: the node now uses account '${accountAfter}', but the dns-persist-01 records of ${accountBound.join(', ')} name the account of '${accountBefore}' - publish new ones with 'certnode acme cert persist-record --apply'\n`,
      );
    }
    return changeResult(changed);
  },
};

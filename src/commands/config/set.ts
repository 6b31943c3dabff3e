// certnode config set [--acme ...] [--acmedomainN ...] [--description ...] [--delete LIST] [--digest D]

import { CliError, UsageError } from '../../core/errors.ts';
import { parseBoolean, splitList } from '../../core/config/formats.ts';
import { certSettings, checkAcmeValue, checkCertSettingValue, checkDomainValue, configuredDomains, isDomainKey, nodeAccount, nodeConfigKeys, pluginNodesRefusal } from '../../core/config/node.ts';
import type { NodeConfig } from '../../core/config/node-cfg.ts';
import { mergeNodeSide, nodeSettingRefusal, sideNeedsProxmox, sideSettingRefusal } from '../../core/config/proxmox-rules.ts';
import { loadNodeFile, loadPlugins, updateNodeConfig } from '../../core/config/repo.ts';
import { changeResult } from '../../core/output/render.ts';
import type { LeafCommand } from '../command.ts';

export interface SetOptions {
  /** key -> value exactly as typed. */
  values: Map<string, string>;
  deletes: string[];
  digest: string | undefined;
  /** Write certnode's side file (pve, pbs layouts) instead of the Proxmox node file. */
  side: boolean;
}

/** commander's camelCase option name for a node key (acmedomain0 stays, description stays). */
export const nodeKeyOption = (key: string): string => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export const command: LeafCommand<SetOptions> = {
  parse(_args, raw, env) {
    const side = raw.side === undefined ? false : parseBoolean(raw.side, 'side');
    const layout = env.paths.layout;
    if (side && layout === 'certnode') throw sideNeedsProxmox(layout);
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
    // in a Proxmox layout, nothing PVE/PBS would drop or reject goes into their file (one line, no usage)
    if (layout !== 'certnode') {
      for (const [key, value] of values) {
        const refusal = side ? sideSettingRefusal(key, value, env.paths.nodeCfg) : nodeSettingRefusal(layout, key, value);
        if (refusal !== undefined) throw new CliError(`${key}: ${refusal}`);
      }
    }
    return { values, deletes, digest: raw.digest, side };
  },
  async run(env, opts) {
    const plugins = loadPlugins(env.paths).config;
    const { nodeCfg, nodeSideCfg } = env.paths;
    const file = opts.side ? nodeSideCfg! : nodeCfg;
    // the other file of a Proxmox layout: the settings certnode checks are those of both
    const other = nodeSideCfg === undefined ? undefined : loadNodeFile(opts.side ? nodeCfg : nodeSideCfg).config;
    const effective = (cfg: NodeConfig): NodeConfig =>
      other === undefined ? cfg : mergeNodeSide(opts.side ? other : cfg, opts.side ? cfg : other, { main: nodeCfg, side: nodeSideCfg! });
    let accountBefore: string | undefined;
    let accountAfter: string | undefined;
    let accountBound: string[] = [];
    // a plugin meant for other nodes (its nodes setting) cannot serve a name set now: said
    // before the node's file (or its directory, in a cluster tree) is touched
    const setNow: NodeConfig = { description: undefined, entries: new Map([...opts.values].filter(([key]) => key === 'acme' || isDomainKey(key))) };
    const refusal = pluginNodesRefusal(configuredDomains(setNow, plugins), plugins, env.paths.node);
    if (refusal !== undefined) throw new CliError(refusal);
    const changed = await updateNodeConfig(env.paths, opts.digest, (cfg) => {
      accountBefore = nodeAccount(effective(cfg));
      for (const key of opts.deletes) {
        if (key === 'description') cfg.description = undefined;
        else if (cfg.entries.has(key) || nodeConfigKeys().includes(key)) cfg.entries.delete(key);
        else throw new UsageError(`no such option '${key}'`, 'delete');
      }
      for (const [key, value] of opts.values) {
        if (key === 'description') cfg.description = value === '' ? undefined : value;
        else cfg.entries.set(key, value);
      }
      const merged = effective(cfg);
      const domains = configuredDomains(merged, plugins);
      accountBound = domains.filter((d) => d.challenges?.some((c) => c === 'dns-persist-01')).map((d) => d.domain);
      accountAfter = nodeAccount(merged);
      certSettings(merged, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile });
    }, file);
    // dns-persist-01 records name the account: another account needs new ones
    if (accountBefore !== accountAfter && accountBound.length > 0 && !env.globals.quiet) {
      env.ctx.io.stderr.write(
        `WARNING: the node now uses account '${accountAfter}', but the dns-persist-01 records of ${accountBound.join(', ')} name the account of '${accountBefore}' - publish new ones with 'certnode acme cert persist-record --apply'\n`,
      );
    }
    return changeResult(changed);
  },
};

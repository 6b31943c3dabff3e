// certnode acme plugin set <id> [options] [--delete LIST] [--digest D]

import { CliError, UsageError } from '../../../core/errors.ts';
import { parseBoolean, splitList } from '../../../core/config/formats.ts';
import { findPlugin, isPluginType, PLUGIN_PROPERTIES, setPlugin, type PluginInput } from '../../../core/config/plugins.ts';
import { pluginSettingRefusal, sideNeedsProxmox, SIDE_PLUGIN_KEYS } from '../../../core/config/proxmox-rules.ts';
import { loadPluginsFile, updatePlugins } from '../../../core/config/repo.ts';
import type { CommandEnv } from '../../command.ts';
import { changeResult } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';
import { pluginInput } from './input.ts';

export interface SetOptions {
  id: string;
  input: PluginInput;
  deletes: string[];
  digest: string | undefined;
  /** Write certnode's side file (pve, pbs layouts): the plugin settings Proxmox cannot hold. */
  side: boolean;
}

export const command: LeafCommand<SetOptions> = {
  async parse(args, raw, env) {
    const side = raw.side === undefined ? false : parseBoolean(raw.side, 'side');
    if (side && env.paths.pluginsSideCfg === undefined) throw sideNeedsProxmox(env.paths.layout);
    const opts = {
      id: args[0]!,
      input: await pluginInput(raw, env),
      deletes: raw.delete === undefined ? [] : splitList(raw.delete),
      digest: raw.digest,
      side,
    };
    if (side) {
      for (const key of [...Object.keys(opts.input).filter((k) => opts.input[k as keyof PluginInput] !== undefined), ...opts.deletes]) {
        if (!SIDE_PLUGIN_KEYS.includes(key)) throw new CliError(`${key}: '${key}' belongs in '${env.paths.pluginsCfg}', where Proxmox reads it - set it without --side`);
      }
    }
    return opts;
  },
  async run(env, opts) {
    if (opts.side) return changeResult(await setSide(env, opts));
    let api: string | undefined;
    // the DNS script side (script lookup, data checks, the sandbox they share code with) only
    // when a DNS setting changes: setting a standalone plugin's port needs none of it
    const dnsapi = opts.input.api !== undefined || opts.input.data !== undefined ? await import('./dnsapi.ts') : undefined;
    const changed = await updatePlugins(env.paths, opts.digest, (cfg) => {
      const type = findPlugin(cfg, opts.id)?.type;
      let refusal = env.paths.layout === 'certnode' || type === undefined ? undefined : pluginSettingRefusal(env.paths.layout, type, opts.id, opts.input);
      if (env.paths.layout === 'pbs' && type === 'dns' && opts.deletes.includes('data')) refusal = "PBS rejects the whole plugins.cfg for a dns plugin without 'data' (its dns plugins require it)";
      if (refusal !== undefined) throw new CliError(refusal);
      setPlugin(cfg, opts.id, opts.input, opts.deletes);
      // after setPlugin, so its errors (unknown id, api on a standalone plugin) come first
      if (opts.input.api !== undefined) dnsapi!.requireDnsApiScript(env, opts.input.api);
      const section = findPlugin(cfg, opts.id);
      api = section?.type === 'dns' ? section.props.get('api') : undefined;
    });
    dnsapi?.warnDataProblems(env, opts.input.data, api);
    return changeResult(changed);
  },
};

/** `--side`: the plugin's certnode-only settings, in certnode's side file beside plugins.cfg. */
function setSide(env: CommandEnv, opts: SetOptions): Promise<boolean> {
  const main = findPlugin(loadPluginsFile(env.paths.pluginsCfg).config, opts.id);
  if (!main) throw new UsageError(`ACME plugin ID '${opts.id}' does not exist`, 'id');
  const type = main.type;
  if (!isPluginType(type)) throw new UsageError(`cannot update plugin '${opts.id}' of unknown type '${type}'`, 'id');
  return updatePlugins(
    env.paths,
    opts.digest,
    (cfg) => {
      let section = findPlugin(cfg, opts.id);
      if (!section || section.type !== type) {
        cfg.sections = cfg.sections.filter((s) => s.id !== opts.id);
        section = { type, id: opts.id, props: new Map() };
        cfg.sections.push(section);
      }
      for (const key of opts.deletes) section.props.delete(key);
      for (const [key, value] of Object.entries(opts.input)) {
        if (value === undefined) continue;
        if (!PLUGIN_PROPERTIES[type].includes(key)) throw new UsageError(`unexpected property '${key}'`, key);
        section.props.set(key, String(value));
      }
      // a plugin left with no side settings leaves no section behind (but the implicit standalone)
      if (section.props.size === 0 && opts.id !== 'standalone') cfg.sections = cfg.sections.filter((s) => s !== section);
    },
    env.paths.pluginsSideCfg,
  );
}

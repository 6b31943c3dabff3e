// certnode acme plugin add <type> <id> [--api] [--data FILE] [--validation-delay N] [--disable] [--nodes] [--port] [--address]

import { CliError } from '../../../core/errors.ts';
import { checkConfigId } from '../../../core/config/formats.ts';
import { pluginSettingRefusal } from '../../../core/config/proxmox-rules.ts';
import { addPlugin, type PluginInput } from '../../../core/config/plugins.ts';
import { loadPlugins, updatePlugins } from '../../../core/config/repo.ts';
import { changeResult } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';
import { pluginInput } from './input.ts';

export interface AddOptions {
  type: string;
  id: string;
  input: PluginInput;
}

export const command: LeafCommand<AddOptions> = {
  async parse(args, raw, env) {
    const [type, id] = args as [string, string];
    checkConfigId(id, 'id');
    const input = await pluginInput(raw, env);
    // in a Proxmox layout, nothing PVE/PBS would drop or reject goes into their plugins.cfg
    const refusal = env.paths.layout === 'certnode' ? undefined : pluginSettingRefusal(env.paths.layout, type, id, input);
    if (refusal !== undefined) throw new CliError(refusal);
    return { type, id, input };
  },
  async run(env, opts) {
    // the DNS script side only for what has DNS settings (see set.ts)
    const dnsapi = opts.input.api !== undefined || opts.input.data !== undefined ? await import('./dnsapi.ts') : undefined;
    if (opts.type === 'dns' && opts.input.api !== undefined) {
      // the config's own checks (duplicate id, options) first, on a copy: no prompt for a doomed
      // add, nor for one that finds the plugin already there as asked
      const adds = addPlugin(loadPlugins(env.paths).config, opts.type, opts.id, opts.input);
      const script = dnsapi!.requireDnsApiScript(env, opts.input.api);
      if (adds && opts.input.data === undefined) {
        const { canPrompt, promptPluginData } = await import('./prompt-data.ts');
        if (canPrompt(env)) {
          const data = await promptPluginData(env, opts.input.api, script);
          if (data !== undefined) opts.input.data = data;
        }
      }
    }
    // PBS requires data in a dns plugin (after the prompt, which may have asked for it)
    if (env.paths.layout === 'pbs' && opts.type === 'dns' && opts.input.data === undefined) {
      throw new CliError(`PBS rejects the whole plugins.cfg for a dns plugin without 'data' (its dns plugins require it) - give --data <file>`);
    }
    const changed = await updatePlugins(env.paths, undefined, (cfg) => {
      addPlugin(cfg, opts.type, opts.id, opts.input);
    });
    dnsapi?.warnDataProblems(env, opts.input.data, opts.type === 'dns' ? opts.input.api : undefined);
    return changeResult(changed);
  },
};

// certnode acme plugin set <id> [options] [--delete LIST] [--digest D]

import { splitList } from '../../../core/config/formats.ts';
import { findPlugin, setPlugin, type PluginInput } from '../../../core/config/plugins.ts';
import { updatePlugins } from '../../../core/config/repo.ts';
import { changeResult } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';
import { requireDnsApiScript, warnDataProblems } from './dnsapi.ts';
import { pluginInput } from './input.ts';

export interface SetOptions {
  id: string;
  input: PluginInput;
  deletes: string[];
  digest: string | undefined;
}

export const command: LeafCommand<SetOptions> = {
  async parse(args, raw, env) {
    return {
      id: args[0]!,
      input: await pluginInput(raw, env),
      deletes: raw.delete === undefined ? [] : splitList(raw.delete),
      digest: raw.digest,
    };
  },
  async run(env, opts) {
    let api: string | undefined;
    const changed = await updatePlugins(env.paths, opts.digest, (cfg) => {
      setPlugin(cfg, opts.id, opts.input, opts.deletes);
      // after setPlugin, so its errors (unknown id, api on a standalone plugin) come first
      if (opts.input.api !== undefined) requireDnsApiScript(env, opts.input.api);
      const section = findPlugin(cfg, opts.id);
      api = section?.type === 'dns' ? section.props.get('api') : undefined;
    });
    warnDataProblems(env, opts.input.data, api);
    return changeResult(changed);
  },
};

// certnode acme plugin add <type> <id> [--api] [--data FILE] [--validation-delay N] [--disable] [--nodes] [--port] [--address]

import { checkConfigId } from '../../../core/config/formats.ts';
import { addPlugin, type PluginInput } from '../../../core/config/plugins.ts';
import { updatePlugins } from '../../../core/config/repo.ts';
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
    return { type, id, input: await pluginInput(raw, env) };
  },
  async run(env, opts) {
    await updatePlugins(env.paths, undefined, (cfg) => addPlugin(cfg, opts.type, opts.id, opts.input));
    return { kind: 'none' };
  },
};

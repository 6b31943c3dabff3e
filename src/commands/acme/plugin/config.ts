// certnode acme plugin config <id>

import { CliError } from '../../../core/errors.ts';
import { loadPlugins } from '../../../core/config/repo.ts';
import { findPlugin, pluginView } from '../../../core/config/plugins.ts';
import type { LeafCommand } from '../../command.ts';

export const command: LeafCommand<{ id: string }> = {
  parse(args) {
    return { id: args[0]! };
  },
  async run(env, opts) {
    const { config, digest } = loadPlugins(env.paths);
    const section = findPlugin(config, opts.id);
    if (!section) throw new CliError(`ACME plugin '${opts.id}' not defined`);
    return { kind: 'object', data: pluginView(section, digest) };
  },
};

// certnode acme plugin remove <id>

import { CliError } from '../../../core/errors.ts';
import { domainKeysUsingPlugin } from '../../../core/config/node.ts';
import { removePlugin } from '../../../core/config/plugins.ts';
import { STANDALONE_ID } from '../../../core/config/plugins-cfg.ts';
import { loadNodeConfig, updatePlugins } from '../../../core/config/repo.ts';
import { changeResult } from '../../../core/output/render.ts';
import type { LeafCommand } from '../../command.ts';

export const command: LeafCommand<{ id: string }> = {
  parse(args) {
    return { id: args[0]! };
  },
  async run(env, opts) {
    const changed = await updatePlugins(env.paths, undefined, (cfg) => {
      if (opts.id !== STANDALONE_ID) {
        const users = domainKeysUsingPlugin(loadNodeConfig(env.paths).config, opts.id);
        if (users.length > 0) {
          throw new CliError(`ACME plugin '${opts.id}' is still used by node config ${users.map((k) => `'${k}'`).join(', ')}; change or delete those first`);
        }
      }
      removePlugin(cfg, opts.id);
    });
    // its certnode-only settings go with it
    const side = env.paths.pluginsSideCfg === undefined ? false : await updatePlugins(env.paths, undefined, (cfg) => removePlugin(cfg, opts.id), env.paths.pluginsSideCfg);
    return changeResult(changed || side);
  },
};

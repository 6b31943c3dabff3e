// certnode acme account deactivate [<name>] [--force] [--yes]: deactivate at the CA and retire the file.
// The account node.cfg uses is asked about on a terminal (renewals stop working without it).

import { deactivateAccount } from '../../../core/acme/accounts.ts';
import { loadAccount } from '../../../core/config/accounts.ts';
import { checkConfigId, parseBoolean } from '../../../core/config/formats.ts';
import { nodeAccount } from '../../../core/config/node.ts';
import { loadNodeConfig } from '../../../core/config/repo.ts';
import type { LeafCommand } from '../../command.ts';
import { confirmOnTerminal } from '../../confirm.ts';
import { DEFAULT_ACCOUNT } from './info.ts';

export const command: LeafCommand<{ name: string; force: boolean; yes: boolean }> = {
  parse(args, raw) {
    return {
      name: checkConfigId(args[0] ?? DEFAULT_ACCOUNT, 'name'),
      force: raw.force === undefined ? false : parseBoolean(raw.force, 'force'),
      yes: raw.yes === undefined ? false : parseBoolean(raw.yes, 'yes'),
    };
  },
  async run(env, opts) {
    loadAccount(env.paths, opts.name); // a missing account fails before any question
    const inUse = nodeAccount(loadNodeConfig(env.paths).config) === opts.name;
    if (inUse) {
      await confirmOnTerminal(env, `Account '${opts.name}' is the one this node orders and renews with (node.cfg); deactivate it?`, opts.yes);
    }
    return deactivateAccount(env, opts.name, opts.force, inUse);
  },
};

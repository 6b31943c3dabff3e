// certnode acme account info [<name>]: the stored account (account object, directory, location, tos).

import { accountInfo } from '../../../core/config/account-file.ts';
import { loadAccount } from '../../../core/config/accounts.ts';
import { checkConfigId } from '../../../core/config/formats.ts';
import type { LeafCommand } from '../../command.ts';

export const DEFAULT_ACCOUNT = 'default';

export const command: LeafCommand<{ name: string }> = {
  parse(args) {
    return { name: checkConfigId(args[0] ?? DEFAULT_ACCOUNT, 'name') };
  },
  async run(env, opts) {
    return { kind: 'object', data: accountInfo(loadAccount(env.paths, opts.name)) };
  },
};

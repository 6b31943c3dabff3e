// certnode acme account deactivate [<name>] [--force]: deactivate at the CA and retire the file.

import { deactivateAccount } from '../../../core/acme/accounts.ts';
import { checkConfigId, parseBoolean } from '../../../core/config/formats.ts';
import type { LeafCommand } from '../../command.ts';
import { DEFAULT_ACCOUNT } from './info.ts';

export const command: LeafCommand<{ name: string; force: boolean }> = {
  parse(args, raw) {
    return { name: checkConfigId(args[0] ?? DEFAULT_ACCOUNT, 'name'), force: raw.force === undefined ? false : parseBoolean(raw.force, 'force') };
  },
  run(env, opts) {
    return deactivateAccount(env, opts.name, opts.force);
  },
};

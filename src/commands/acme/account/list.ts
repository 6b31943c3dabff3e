// certnode acme account list: the account names (PBS-style table with one column, `name`).

import { listAccounts } from '../../../core/config/accounts.ts';
import type { LeafCommand } from '../../command.ts';

export const command: LeafCommand<Record<string, never>> = {
  parse() {
    return {};
  },
  async run(env) {
    return { kind: 'list', data: listAccounts(env.paths).map((name) => ({ name })), columns: [{ key: 'name', always: true }] };
  },
};

// certnode acme account update [<name>] [--contact LIST]: change the contact, or refresh from the CA.

import { updateAccount } from '../../../core/acme/accounts.ts';
import { checkConfigId, parseEmailList } from '../../../core/config/formats.ts';
import type { LeafCommand } from '../../command.ts';
import { DEFAULT_ACCOUNT } from './info.ts';

export interface UpdateOptions {
  name: string;
  contact: string[] | undefined;
}

export const command: LeafCommand<UpdateOptions> = {
  parse(args, raw) {
    return {
      name: checkConfigId(args[0] ?? DEFAULT_ACCOUNT, 'name'),
      contact: raw.contact === undefined ? undefined : parseEmailList(raw.contact).map((e) => `mailto:${e}`),
    };
  },
  run(env, opts) {
    return updateAccount(env, opts.name, opts.contact);
  },
};

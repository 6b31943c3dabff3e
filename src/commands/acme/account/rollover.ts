// certnode acme account rollover [<name>] [--key-type T]: replace the account key at the CA
// (RFC 8555 keyChange), then in the account file; crash-safe (see core/acme/rollover.ts).

import { parseKeyType, type KeyType } from '../../../core/acme/keys.ts';
import { rolloverAccount } from '../../../core/acme/rollover.ts';
import { checkConfigId } from '../../../core/config/formats.ts';
import type { LeafCommand } from '../../command.ts';
import { DEFAULT_ACCOUNT } from './info.ts';

export const command: LeafCommand<{ name: string; keyType: KeyType | undefined }> = {
  parse(args, raw) {
    return {
      name: checkConfigId(args[0] ?? DEFAULT_ACCOUNT, 'name'),
      keyType: raw.keyType === undefined ? undefined : parseKeyType(raw.keyType),
    };
  },
  run(env, opts) {
    return rolloverAccount(env, opts.name, opts.keyType);
  },
};

// certnode acme account register [<name>] <contact> [--directory URL] [--agree-tos]
//          [--eab-kid ID --eab-hmac-key KEY] [--key-type T]

import { checkDirectoryUrl, registerAccount, type RegisterOptions } from '../../../core/acme/register.ts';
import { DEFAULT_KEY_TYPE, parseKeyType } from '../../../core/acme/keys.ts';
import { checkConfigId, parseBoolean, parseEmailList } from '../../../core/config/formats.ts';
import { UsageError } from '../../../core/errors.ts';
import { createPrompter } from '../../../core/prompt.ts';
import type { LeafCommand } from '../../command.ts';
import { DEFAULT_ACCOUNT } from './info.ts';

export const command: LeafCommand<RegisterOptions> = {
  parse(args, raw) {
    // As in pvenode, positionals fill in order: a single argument is the name (and the contact is missing).
    const [name = DEFAULT_ACCOUNT, contact = ''] = args;
    const kid = raw.eabKid;
    const hmacKey = raw.eabHmacKey;
    if ((kid === undefined) !== (hmacKey === undefined)) {
      throw new UsageError("either both or none of 'eab-kid' and 'eab-hmac-key' have to be set.");
    }
    if (kid === '' || hmacKey === '') throw new UsageError('value must not be empty', kid === '' ? 'eab-kid' : 'eab-hmac-key');
    return {
      name: checkConfigId(name, 'name'),
      contact: parseEmailList(contact).map((e) => `mailto:${e}`),
      directory: raw.directory === undefined ? undefined : checkDirectoryUrl(raw.directory),
      agreeTos: raw.agreeTos === undefined ? false : parseBoolean(raw.agreeTos, 'agree-tos'),
      eab: kid !== undefined && hmacKey !== undefined ? { kid, hmacKey } : undefined,
      keyType: raw.keyType === undefined ? DEFAULT_KEY_TYPE : parseKeyType(raw.keyType),
      keyTypeGiven: raw.keyType !== undefined,
    };
  },
  run(env, opts) {
    // In json modes the questions go to stderr, so stdout carries only the JSON result.
    const prompter = createPrompter(env.ctx, env.globals.outputFormat === 'text' ? env.ctx.io.stdout : env.ctx.io.stderr);
    return registerAccount(env, opts, prompter);
  },
};

// certnode acme account register [<name>] <contact> [--directory URL] [--agree-tos]
//          [--eab-kid ID [--eab-hmac-key-file F | env CERTNODE_EAB_HMAC_KEY | prompt/stdin]] [--key-type T]

import * as fs from 'node:fs';
import { checkDirectoryUrl, checkEabKey, registerAccount, type RegisterOptions } from '../../../core/acme/register.ts';
import { DEFAULT_KEY_TYPE, parseKeyType } from '../../../core/acme/keys.ts';
import { checkConfigId, parseBoolean, parseEmailList } from '../../../core/config/formats.ts';
import { UsageError } from '../../../core/errors.ts';
import { createPrompter } from '../../../core/prompt.ts';
import { errnoText } from '../../../core/store/store.ts';
import type { LeafCommand, RawOptions } from '../../command.ts';
import { DEFAULT_ACCOUNT } from './info.ts';

/** Where the EAB HMAC key comes from; on the command line it is visible to every local user (ps). */
export const EAB_KEY_ENV = 'CERTNODE_EAB_HMAC_KEY';

function eabHmacKey(raw: RawOptions, env: Readonly<Record<string, string | undefined>>): { key: string; source: string } | undefined {
  const given = [raw.eabHmacKey !== undefined && "'eab-hmac-key'", raw.eabHmacKeyFile !== undefined && "'eab-hmac-key-file'"].filter(Boolean);
  if (given.length > 1) throw new UsageError("only one of 'eab-hmac-key' and 'eab-hmac-key-file' can be set");
  if (raw.eabHmacKey !== undefined) return { key: checkEabKey(raw.eabHmacKey, 'eab-hmac-key'), source: "'eab-hmac-key'" };
  if (raw.eabHmacKeyFile !== undefined) {
    let text: string;
    try {
      text = fs.readFileSync(raw.eabHmacKeyFile, 'utf8');
    } catch (err) {
      throw new UsageError(`unable to read file '${raw.eabHmacKeyFile}' - ${err instanceof Error ? errnoText(err) : String(err)}`, 'eab-hmac-key-file');
    }
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== 1) throw new UsageError(`'${raw.eabHmacKeyFile}' must hold the key on one line`, 'eab-hmac-key-file');
    return { key: checkEabKey(lines[0]!, 'eab-hmac-key-file'), source: "'eab-hmac-key-file'" };
  }
  const fromEnv = env[EAB_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: checkEabKey(fromEnv, EAB_KEY_ENV), source: EAB_KEY_ENV };
  return undefined;
}

export const command: LeafCommand<RegisterOptions> = {
  parse(args, raw, env) {
    // As in pvenode, positionals fill in order: a single argument is the name (and the contact is missing).
    const [name = DEFAULT_ACCOUNT, contact = ''] = args;
    const kid = raw.eabKid;
    if (kid === '') throw new UsageError('value must not be empty', 'eab-kid');
    const hmacKey = eabHmacKey(raw, env.ctx.env);
    if (kid === undefined && hmacKey !== undefined) {
      throw new UsageError(`'eab-kid' is needed with ${hmacKey.source}`);
    }
    return {
      name: checkConfigId(name, 'name'),
      contact: parseEmailList(contact).map((e) => `mailto:${e}`),
      directory: raw.directory === undefined ? undefined : checkDirectoryUrl(raw.directory),
      agreeTos: raw.agreeTos === undefined ? false : parseBoolean(raw.agreeTos, 'agree-tos'),
      // --eab-kid alone: the key is asked for (hidden), or read as a line from stdin
      eab: kid === undefined ? undefined : { kid, hmacKey: hmacKey?.key },
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

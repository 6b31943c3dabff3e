// `acme account register`: pvenode's interactive flow (directory menu, terms of service, EAB),
// every question answerable by a flag, then the registration task. The account file is written
// only after the CA accepted the account, so a failure leaves nothing behind.

import type { CommandEnv } from '../env.ts';
import { VERSION } from '../../version.ts';
import { accountInfo, type AccountFile } from '../config/account-file.ts';
import { accountExists, assertAccountAbsent, createAccountFile, loadAccount } from '../config/accounts.ts';
import { CliError, UsageError } from '../errors.ts';
import { runTask } from '../output/tasklog.ts';
import { changeResult, type Result } from '../output/render.ts';
import type { Prompter } from '../prompt.ts';
import { openAcme, type AcmeDirectory, type AcmeService, type ExternalAccountBinding } from './client.ts';
import { KNOWN_DIRECTORIES, knownDirectoryByUrl, resolveDirectory } from './directories.ts';
import { generatePrivateKey, keyTypeOf, type KeyType } from './keys.ts';

export interface RegisterOptions {
  name: string;
  /** mailto: URLs. */
  contact: string[];
  directory: string | undefined;
  agreeTos: boolean;
  /** The binding, or only its key id (the HMAC key is then asked for, secret, or read from stdin). */
  eab: ExternalAccountBinding | { kid: string; hmacKey: undefined } | undefined;
  keyType: KeyType;
  /** --key-type was given (an existing account must then have that key type to count as the same). */
  keyTypeGiven?: boolean;
}

/** A directory URL as pvenode accepts it (`^https?://`), and parsable; or a known directory's id. */
export function checkDirectoryUrl(value: string, param = 'directory'): string {
  return resolveDirectory(value, param);
}

/** An EAB HMAC key as CAs hand them out: base64url (padding tolerated). */
export function checkEabKey(value: string, param: string): string {
  const key = value.trim();
  if (key === '') throw new UsageError('value must not be empty', param);
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(key)) throw new UsageError('invalid format - the EAB HMAC key is not base64url', param);
  return key;
}

interface Decisions {
  directoryUrl: string;
  tos: string | undefined;
  eab: ExternalAccountBinding | undefined;
}

/** Steps 1-4 of pvenode's flow; fetches the directory (for ToS and EAB) through `acme`. */
async function decide(opts: RegisterOptions, prompter: Prompter, open: (url: string) => Promise<AcmeService>): Promise<{ decisions: Decisions; acme: AcmeService }> {
  let directoryUrl = opts.directory;
  let custom = false;
  if (directoryUrl === undefined) {
    prompter.say('Directory endpoints:');
    const choice = await prompter.menu<string | null>({ text: 'Enter selection: ', flag: '--directory' }, [
      ...KNOWN_DIRECTORIES.map((d) => ({ label: `${d.name} (${d.url})`, value: d.url })),
      { label: 'Custom', value: null },
    ]);
    if (choice === null) {
      custom = true;
      directoryUrl = await prompter.input({
        text: 'Enter custom URL: ',
        flag: '--directory',
        validate: (v) => {
          try {
            checkDirectoryUrl(v);
            return undefined;
          } catch (err) {
            return err instanceof Error ? err.message.replace(/^directory: /, '') : String(err);
          }
        },
      });
    } else {
      directoryUrl = choice;
    }
  }

  prompter.say(`\nAttempting to fetch Terms of Service from '${directoryUrl}'..`);
  const acme = await open(directoryUrl);
  const dir: AcmeDirectory = await acme.getDirectory();

  let tos: string | undefined;
  const tosUrl = dir.meta?.termsOfService;
  if (tosUrl) {
    prompter.say(`Terms of Service: ${tosUrl}`);
    const agreed = opts.agreeTos || (await prompter.confirm({ text: 'Do you agree to the above terms? [y|N]: ', flag: '--agree-tos', required: true }));
    if (!agreed) throw new CliError('Cannot continue without agreeing to ToS, aborting.');
    tos = tosUrl;
  } else {
    prompter.say('No Terms of Service found, proceeding.');
  }

  let eab: ExternalAccountBinding | undefined;
  if (opts.eab && opts.eab.hmacKey === undefined) {
    const hmacKey = await prompter.input({ text: 'Enter EAB key: ', flag: '--eab-hmac-key-file', secret: true });
    eab = { kid: opts.eab.kid, hmacKey: checkEabKey(hmacKey, 'eab-hmac-key') };
  } else if (opts.eab) {
    eab = { kid: opts.eab.kid, hmacKey: opts.eab.hmacKey };
  } else {
    let useEab = false;
    if (dir.meta?.externalAccountRequired === true || knownDirectoryByUrl(directoryUrl)?.eab === true) {
      prompter.say('The CA requires external account binding.');
      useEab = true;
    } else if (custom) {
      useEab = await prompter.confirm({ text: 'Do you want to use external account binding? [y|N]: ', flag: '--eab-kid/--eab-hmac-key', required: false });
    }
    if (useEab) {
      prompter.say('You should have received a key id and a key from your CA.');
      const kid = await prompter.input({ text: 'Enter EAB key id: ', flag: '--eab-kid/--eab-hmac-key' });
      const hmacKey = await prompter.input({ text: 'Enter EAB key: ', flag: '--eab-kid/--eab-hmac-key-file', secret: true });
      eab = { kid, hmacKey: checkEabKey(hmacKey, 'eab-hmac-key') };
    }
  }
  return { decisions: { directoryUrl, tos, eab }, acme };
}

/**
 * An account of this name registered exactly as asked (same directory, same contacts, and the
 * same key type when one was asked for): registering it again is "unchanged", not an error.
 */
function alreadyRegistered(env: CommandEnv, opts: RegisterOptions): boolean {
  if (!accountExists(env.paths, opts.name) || opts.directory === undefined) return false;
  const acc = loadAccount(env.paths, opts.name);
  const contact = Array.isArray(acc.account.contact) ? acc.account.contact.map(String) : [];
  const sameContact = JSON.stringify([...contact].sort()) === JSON.stringify([...opts.contact].sort());
  const sameKey = !opts.keyTypeGiven || keyTypeOf(acc.key) === opts.keyType;
  if (acc.directory === opts.directory && sameContact && sameKey) return true;
  throw new UsageError(
    `ACME account config file '${opts.name}' already exists with another ${acc.directory !== opts.directory ? 'directory' : !sameContact ? 'contact' : 'key type'}` +
      ` - change its contact with certnode acme account update ${opts.name} --contact <email>, or register under another name`,
    'name',
  );
}

export async function registerAccount(env: CommandEnv, opts: RegisterOptions, prompter: Prompter): Promise<Result> {
  if (alreadyRegistered(env, opts)) {
    prompter.close();
    return changeResult(false);
  }
  // Refuse a taken name before asking anything or contacting the CA.
  assertAccountAbsent(env.paths, opts.name);
  let decided: { decisions: Decisions; acme: AcmeService };
  try {
    decided = await decide(opts, prompter, (url) => openAcme(env.ctx, { directoryUrl: url, version: VERSION }));
  } finally {
    prompter.close();
  }
  const { decisions, acme } = decided;
  prompter.say(`\nAttempting to register account with '${decisions.directoryUrl}'..`);

  return runTask(env, async (log) => {
    log.info('Generating ACME account key..');
    const key = await generatePrivateKey(opts.keyType);
    log.info('Registering ACME account..');
    let registered: Awaited<ReturnType<AcmeService['createAccount']>>;
    try {
      registered = await acme.createAccount(key, {
        contact: opts.contact,
        termsOfServiceAgreed: decisions.tos !== undefined,
        ...(decisions.eab ? { eab: decisions.eab } : {}),
      });
    } catch (err) {
      throw new CliError(`Registration failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const file: AccountFile = {
      account: registered.account,
      directory: decisions.directoryUrl,
      key,
      location: registered.location,
      ...(decisions.tos ? { tos: decisions.tos } : {}),
      extra: {},
    };
    await createAccountFile(env.paths, opts.name, file);
    log.info(`Registration successful, account URL: '${registered.location}'`);
    return { kind: 'object', data: { ...accountInfo(file), changed: true } };
  });
}

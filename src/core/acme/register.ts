// `acme account register`: pvenode's interactive flow (directory menu, terms of service, EAB),
// every question answerable by a flag, then the registration task. The account file is written
// only after the CA accepted the account, so a failure leaves nothing behind.

import type { CommandEnv } from '../../commands/command.ts';
import { VERSION } from '../../version.ts';
import { accountInfo, type AccountFile } from '../config/account-file.ts';
import { assertAccountAbsent, createAccountFile } from '../config/accounts.ts';
import { CancelledError, CliError, UsageError } from '../errors.ts';
import { runTask } from '../output/tasklog.ts';
import type { Result } from '../output/render.ts';
import type { Prompter } from '../prompt.ts';
import { openAcme, type AcmeDirectory, type AcmeService, type ExternalAccountBinding } from './client.ts';
import { menuDirectories } from './directories.ts';
import { generatePrivateKey, type KeyType } from './keys.ts';

export interface RegisterOptions {
  name: string;
  /** mailto: URLs. */
  contact: string[];
  directory: string | undefined;
  agreeTos: boolean;
  /** The binding, or only its key id (the HMAC key is then asked for, secret, or read from stdin). */
  eab: ExternalAccountBinding | { kid: string; hmacKey: undefined } | undefined;
  keyType: KeyType;
}

/** A directory URL as pvenode accepts it (`^https?://`), and parsable. */
export function checkDirectoryUrl(value: string, param = 'directory'): string {
  let ok = /^https?:\/\//i.test(value);
  if (ok) {
    try {
      new URL(value);
    } catch {
      ok = false;
    }
  }
  if (!ok) throw new UsageError(`invalid format - '${value}' is not an http:// or https:// URL`, param);
  return value;
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
    const known = menuDirectories();
    const choice = await prompter.menu<string | null>({ text: 'Enter selection: ', flag: '--directory' }, [
      ...known.map((d) => ({ label: `${d.name} (${d.url})`, value: d.url })),
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
    if (!agreed) throw new CancelledError('Cannot continue without agreeing to ToS, aborting.');
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
    if (dir.meta?.externalAccountRequired === true) {
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

export async function registerAccount(env: CommandEnv, opts: RegisterOptions, prompter: Prompter): Promise<Result> {
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
    return { kind: 'object', data: accountInfo(file) };
  });
}

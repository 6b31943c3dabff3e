// Account key rollover (RFC 8555 §7.3.5), crash-safe: the account file holds the old key until the
// CA has switched, and the new key beside it (`rollover`) from before the keyChange is sent until
// the switch is written. A file with a pending rollover is settled before its next use by asking
// the CA which of the two keys it accepts; so a crash at any instant leaves a usable account.

import type { CommandEnv } from '../env.ts';
import type { Context } from '../../context.ts';
import { VERSION } from '../../version.ts';
import { accountInfo, type AccountFile } from '../config/account-file.ts';
import { loadAccount, saveAccountFile, withAccountLock } from '../config/accounts.ts';
import { AcmeProblemError, CliError } from '../errors.ts';
import { runTask, type TaskLog } from '../output/tasklog.ts';
import type { Result } from '../output/render.ts';
import type { Paths } from '../paths.ts';
import { openAcme, type AcmeAccountObject, type AcmeService } from './client.ts';
import { DEFAULT_KEY_TYPE, generatePrivateKey, keyTypeOf, type KeyType } from './keys.ts';

/**
 * TESTING ONLY: `CERTNODE_TEST_CRASH_AT=<step>` makes certnode SIGKILL itself at that step of a
 * rollover (rollover-pending, rollover-accepted, rollover-switched), to test crash safety.
 */
export const CRASH_AT_ENV = 'CERTNODE_TEST_CRASH_AT';

function crashPoint(ctx: Context, step: string): void {
  if (ctx.env[CRASH_AT_ENV] === step) process.kill(process.pid, 'SIGKILL');
}

function withoutRollover(acc: AccountFile): AccountFile {
  const { rollover: _dropped, ...rest } = acc;
  return rest;
}

/** The account object when the CA accepts `key` for the account, else undefined (its refusal). */
async function accepted(acme: AcmeService, key: string, location: string): Promise<AcmeAccountObject | undefined> {
  try {
    return await acme.account(key, location).update({});
  } catch (err) {
    if (err instanceof AcmeProblemError) return undefined;
    throw err;
  }
}

/** Settle a pending rollover (caller holds the account lock): keep whichever key the CA accepts. */
async function settle(ctx: Context, paths: Paths, name: string, acc: AccountFile, log: TaskLog | undefined): Promise<AccountFile> {
  if (!acc.rollover) return acc;
  const acme = await openAcme(ctx, { directoryUrl: acc.directory, version: VERSION });
  // the new key first: once the CA has switched, the old one is refused
  const withNew = await accepted(acme, acc.rollover.key, acc.location);
  let settled: AccountFile;
  if (withNew) {
    settled = { ...withoutRollover(acc), key: acc.rollover.key, account: withNew };
    log?.info(`An interrupted key rollover of account '${name}' had been accepted by the CA - using the new key (${keyTypeOf(settled.key) ?? 'unknown type'})`);
  } else {
    const withOld = await accepted(acme, acc.key, acc.location);
    if (!withOld) throw new CliError(`account '${name}': the CA accepts neither its key nor the new key of an interrupted rollover`);
    settled = { ...withoutRollover(acc), account: withOld };
    log?.info(`An interrupted key rollover of account '${name}' had not reached the CA - keeping the old key`);
  }
  saveAccountFile(paths, name, settled);
  return settled;
}

/** The account file, with any interrupted rollover settled first (one or two requests, only then). */
export async function settledAccount(ctx: Context, paths: Paths, name: string, log?: TaskLog): Promise<AccountFile> {
  const acc = loadAccount(paths, name);
  if (!acc.rollover) return acc;
  return withAccountLock(paths, name, async () => settle(ctx, paths, name, loadAccount(paths, name), log));
}

/** `acme account rollover`: a new key of `keyType` (default: the current key's type). */
export function rolloverAccount(env: CommandEnv, name: string, keyType: KeyType | undefined): Promise<Result> {
  loadAccount(env.paths, name); // a missing account fails before the task starts
  const { ctx, paths } = env;
  return runTask(env, (log) =>
    withAccountLock(paths, name, async () => {
      let acc = await settle(ctx, paths, name, loadAccount(paths, name), log);
      const oldType = keyTypeOf(acc.key);
      const type = keyType ?? oldType ?? DEFAULT_KEY_TYPE;
      log.info(`Generating new account key (${type}; the current one is ${oldType ?? 'of unknown type'})`);
      const newKey = await generatePrivateKey(type);
      // the new key is on disk before the CA can know it: whatever happens next, one of the two works
      acc = { ...acc, rollover: { key: newKey } };
      saveAccountFile(paths, name, acc);
      crashPoint(ctx, 'rollover-pending');

      log.info(`Asking the CA to switch account '${name}' to the new key (keyChange)`);
      const acme = await openAcme(ctx, { directoryUrl: acc.directory, version: VERSION });
      try {
        await acme.account(acc.key, acc.location).changeKey(newKey);
      } catch (err) {
        // a refusal leaves the old key in force; anything else (no answer) is settled at the next use
        if (err instanceof AcmeProblemError) saveAccountFile(paths, name, withoutRollover(acc));
        throw err;
      }
      crashPoint(ctx, 'rollover-accepted');
      const account = await accepted(acme, newKey, acc.location);
      const switched: AccountFile = { ...withoutRollover(acc), key: newKey, ...(account ? { account } : {}) };
      saveAccountFile(paths, name, switched);
      crashPoint(ctx, 'rollover-switched');
      log.info(`Account key replaced (${oldType ?? 'unknown type'} -> ${type}); the old key is no longer accepted by the CA`);
      return { kind: 'object', data: accountInfo(switched) };
    }),
  );
}

// Account operations that talk to the CA: refresh/update contact, deactivate (then retire the file).

import type { CommandEnv } from '../env.ts';
import { VERSION } from '../../version.ts';
import { accountInfo } from '../config/account-file.ts';
import { loadAccount, retireAccountFile, updateAccountFile, withAccountLock } from '../config/accounts.ts';
import { runTask } from '../output/tasklog.ts';
import type { Result } from '../output/render.ts';
import { openAcme } from './client.ts';
import { withAccountHint } from './hints.ts';
import { settledAccount } from './rollover.ts';

/** POST the new contact (or an empty update, which refreshes) and save what the CA returns. */
export function updateAccount(env: CommandEnv, name: string, contact: string[] | undefined): Promise<Result> {
  loadAccount(env.paths, name); // a missing account fails before the task starts, as in pvenode
  return runTask(env, async () => {
    await settledAccount(env.ctx, env.paths, name);
    const saved = await updateAccountFile(env.paths, name, async (acc) => {
      const acme = await openAcme(env.ctx, { directoryUrl: acc.directory, version: VERSION });
      const account = await acme
        .account(acc.key, acc.location)
        .update(contact ? { contact } : {})
        .catch((err: unknown) => {
          throw withAccountHint(err, name);
        });
      return { ...acc, account };
    });
    return { kind: 'object', data: accountInfo(saved) };
  });
}

/**
 * Deactivate at the CA, then rename the file to `_deactivated_<name>_<i>`. With `force` a CA
 * refusal is a warning and the file is renamed anyway (for accounts the CA no longer knows).
 */
export function deactivateAccount(env: CommandEnv, name: string, force: boolean, usedByNode = false): Promise<Result> {
  loadAccount(env.paths, name);
  return runTask(env, async (log) => {
    await settledAccount(env.ctx, env.paths, name, log).catch((err: unknown) => {
      if (!force) throw err;
    });
    return withAccountLock(env.paths, name, async () => {
      if (usedByNode) {
        log.warn(`node.cfg uses account '${name}': renewals fail until another is registered and selected (certnode config set --acme account=<name>)`);
      }
      const acc = loadAccount(env.paths, name);
      let account = acc.account;
      try {
        const acme = await openAcme(env.ctx, { directoryUrl: acc.directory, version: VERSION });
        account = await acme.account(acc.key, acc.location).deactivate();
      } catch (err) {
        if (!force) throw err;
        log.warn(`error deactivating account ${name}, proceeding anyway - ${err instanceof Error ? err.message : String(err)}`);
      }
      const { from, to } = retireAccountFile(env.paths, name);
      if (to === undefined) {
        log.warn(`No free slot to rename deactivated account file '${from}', leaving in place`);
      } else {
        log.info(`Renaming account file from '${from}' to '${to}'`);
      }
      return { kind: 'object', data: { ...accountInfo({ ...acc, account }), ...(to ? { file: to } : {}) } };
    });
  });
}

// ACME account files on disk: list, load, create (only new names), update, retire after deactivation.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { isConfigId } from './formats.ts';
import { parseAccountFile, serializeAccountFile, type AccountFile } from './account-file.ts';
import { CliError, UsageError } from '../errors.ts';
import type { Paths } from '../paths.ts';
import { isErrno, LOCK_WAIT_MS, MAX_CONFIG_FILE_BYTES, readTextIfExists, renameNoReplace, SECRET_DIR_MODE, SECRET_FILE_MODE, withLock, writeFileAtomic } from '../store/store.ts';

const LOCK_TIMEOUT_MS = LOCK_WAIT_MS;
/** PVE tries _deactivated_<name>_0 .. _100. */
const MAX_DEACTIVATED_SLOT = 100;

export function accountPath(paths: Paths, name: string): string {
  return path.join(paths.accountsDir, name);
}

/** Account names, sorted; deactivated files, temp/lock files and other invalid names are skipped. */
export function listAccounts(paths: Paths): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(paths.accountsDir, { withFileTypes: true });
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return [];
    throw new CliError(`unable to read '${paths.accountsDir}' - ${err instanceof Error ? err.message : String(err)}`);
  }
  return entries
    .filter((e) => e.isFile() && isConfigId(e.name))
    .map((e) => e.name)
    .sort();
}

export function accountExists(paths: Paths, name: string): boolean {
  return fs.existsSync(accountPath(paths, name));
}

export function assertAccountAbsent(paths: Paths, name: string): void {
  if (accountExists(paths, name)) throw new UsageError(`ACME account config file '${name}' already exists.`, 'name');
}

export function loadAccount(paths: Paths, name: string): AccountFile {
  const file = accountPath(paths, name);
  const text = readTextIfExists(file, MAX_CONFIG_FILE_BYTES);
  if (text === undefined) throw new UsageError(`ACME account config file '${name}' does not exist.`, 'name');
  return parseAccountFile(text, file);
}

function lockOptions(): { timeoutMs: number; dirMode: number } {
  return { timeoutMs: LOCK_TIMEOUT_MS, dirMode: SECRET_DIR_MODE };
}

function write(paths: Paths, name: string, acc: AccountFile): void {
  const file = accountPath(paths, name);
  // the file being replaced: its format, key order and agreement carry over
  const previous = readTextIfExists(file, MAX_CONFIG_FILE_BYTES);
  writeFileAtomic(file, serializeAccountFile(acc, previous), { mode: SECRET_FILE_MODE, dirMode: SECRET_DIR_MODE });
}

/** Replace an account file (atomically, 0600); the caller holds its lock (withAccountLock). */
export function saveAccountFile(paths: Paths, name: string, acc: AccountFile): void {
  write(paths, name, acc);
}

/** Save a newly registered account; refuses to replace an existing file. */
export function createAccountFile(paths: Paths, name: string, acc: AccountFile): Promise<void> {
  return withLock(accountPath(paths, name), lockOptions(), () => {
    assertAccountAbsent(paths, name);
    write(paths, name, acc);
  });
}

/**
 * Change an account file under its lock: `change` gets the current content (it may talk to the
 * CA) and returns the new one. The file is re-read inside the lock, so concurrent updates serialize.
 */
export function updateAccountFile(paths: Paths, name: string, change: (acc: AccountFile) => Promise<AccountFile>): Promise<AccountFile> {
  return withLock(accountPath(paths, name), lockOptions(), async () => {
    const updated = await change(loadAccount(paths, name));
    write(paths, name, updated);
    return updated;
  });
}

/** Rename a deactivated account to the first free `_deactivated_<name>_<i>`; returns the new path, or undefined when no slot is free. */
export function retireAccountFile(paths: Paths, name: string): { from: string; to: string | undefined } {
  const from = accountPath(paths, name);
  for (let i = 0; i <= MAX_DEACTIVATED_SLOT; i++) {
    const to = path.join(paths.accountsDir, `_deactivated_${name}_${i}`);
    if (fs.existsSync(to)) continue;
    renameNoReplace(from, to);
    return { from, to };
  }
  return { from, to: undefined };
}

/** Run `fn` under the account's lock (for operations that end in renaming the file). */
export function withAccountLock<T>(paths: Paths, name: string, fn: () => Promise<T>): Promise<T> {
  return withLock(accountPath(paths, name), lockOptions(), fn);
}

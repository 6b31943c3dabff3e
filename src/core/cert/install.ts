// Installing a certificate chain and its key: verified first, key then chain, each atomic,
// the previous pair kept as `<file>.old`, all under one lock; plus where the pair came from.
//
// Files (cert-file and cert-key-file come from node.cfg, defaults under <config-dir>/certs/):
//   <cert-file>        the chain, leaf first (0644)      <cert-file>.old      the chain before the last install
//   <cert-key-file>    its private key (0600)             <cert-key-file>.old  the key before the last install
//   <config-dir>/certs/certnode.json   {source, fingerprint, installed, acme?, checked?}: acme | custom | self-signed;
//                                      `acme` (ACME certificates): the account's directory, its renewalInfo
//                                      URL and the last ARI answer, so `acme cert renew` needs no directory;
//                                      `checked`: the SHA-256 of the chain and key files' bytes as checked
//                                      (parsed, key matching) and the leaf's validity, so that a renewal
//                                      finding the same bytes need not parse them again (inspectInstalled);
//                                      once the files have settled, their stat identity (`stamp`), so that
//                                      it need not hash them either
//   <config-dir>/certs/certnode.json.lock   taken by every install, so two installs never interleave

import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CertSettings } from '../config/node.ts';
import { CliError } from '../errors.ts';
import type { Paths } from '../paths.ts';
import { LOCK_WAIT_MS, PUBLIC_DIR_MODE, PUBLIC_FILE_MODE, readTextIfExists, removeFile, renameOver, SECRET_FILE_MODE, sha256Hex, withLock, writeFileAtomic, type WriteOptions } from '../store/store.ts';
import { keyMatchesCertificate } from './key-material.ts';
import { certificateOf, parseCertificateChain } from './pem.ts';
import { chainFingerprint } from './x509.ts';

export type CertSource = 'acme' | 'custom' | 'self-signed';
export const BACKUP_SUFFIX = '.old';
const LOCK_TIMEOUT_MS = LOCK_WAIT_MS;

export interface CertTargets {
  certFile: string;
  keyFile: string;
  stateFile: string;
  /**
   * New files take the group and mode of the ones they replace (no bits for others): PBS's
   * proxy.pem and proxy.key are root:backup 0640, read by proxmox-backup-proxy as user backup.
   */
  keepOwnership?: boolean;
}

export function certTargets(settings: Pick<CertSettings, 'certFile' | 'keyFile'>, paths: Paths): CertTargets {
  return { certFile: settings.certFile, keyFile: settings.keyFile, stateFile: paths.certStateFile, ...(paths.layout === 'pbs' ? { keepOwnership: true } : {}) };
}

/** The write options for replacing `file`: `base`, or (keepOwnership) the existing file's group and mode (`mask`: a key never readable by others). */
function replacing(file: string, base: WriteOptions, targets: CertTargets, mask: number): WriteOptions {
  if (!targets.keepOwnership) return base;
  const st = fs.statSync(file, { throwIfNoEntry: false });
  return st ? { ...base, mode: st.mode & mask, gid: st.gid } : base;
}

export interface InstalledPair {
  chain: string | undefined;
  key: string | undefined;
  /**
   * Where the installed chain came from; undefined when there is none. A chain the state file
   * does not describe (put there by hand, or by an older certnode) counts as `custom`.
   */
  source: CertSource | undefined;
}

export interface NewPair {
  chain: string;
  key: string;
  source: CertSource;
  /** For source acme: where it came from. */
  acme?: AcmeState;
}

/** What an ACME certificate's renewal needs to know without asking the CA's directory. */
export interface AcmeState {
  /** The ACME directory URL of the account that ordered it. */
  directory: string;
  /** The directory's renewalInfo URL, when the CA offers ARI (RFC 9773). */
  renewalInfo?: string;
  /** The last ARI answer for this certificate (epoch seconds). */
  ari?: AriState;
}

export interface AriState {
  start: number;
  end: number;
  /** The random instant in the window picked for renewing. */
  renewAt: number;
  /** Not to ask the CA again before (Retry-After). */
  nextCheck: number;
  explanationURL?: string;
}

export interface InstallOptions {
  now: Date;
  /** Keep the replaced pair as `.old` (true), or remove any `.old` pair (`cert delete`). */
  backup: boolean;
}

export interface InstallOutcome {
  /** False when the plan said there was nothing to do. */
  installed: boolean;
  pair: InstalledPair;
}

interface InstallState {
  source: CertSource;
  fingerprint: string;
  /** Epoch seconds. */
  installed: number;
  acme?: AcmeState;
  /** What was checked about the installed pair (absent: written by an older certnode). */
  checked?: CheckedPair;
}

/**
 * A pair that parsed and matched: the SHA-256 (hex) of the chain and key files' text as checked,
 * and the leaf's validity (epoch seconds). Files hashing to it need no parse to be trusted again.
 */
interface CheckedPair {
  /** The fingerprint of the leaf checked, as the state names it: a state naming another chain has no record. */
  fingerprint: string;
  chainSha256: string;
  keySha256: string;
  notBefore: number;
  notAfter: number;
  /** The files' identity when they were last found to hash to the record (see stampHolds). */
  stamp?: FilesStamp;
}

/**
 * `dev:ino:size:mtimeNs:ctimeNs` of the chain and key files, taken at `at` (epoch ms) after they
 * were found to hold the recorded bytes; `seal`: SHA-256 of the record with the stamp, so that a
 * hand-edited record is not vouched for by it.
 */
interface FilesStamp {
  chain: string;
  key: string;
  at: number;
  seal: string;
}

/**
 * How long after a file's last change (its ctime) a stamp must have been taken to be trusted:
 * file times are coarse (a kernel tick; 2 s on some file systems), so a change made in the same
 * tick as the stamped one would keep the ctime. A change after `at` gets a later ctime when
 * `at - ctime` is at least the granularity (the racy-git rule).
 */
const STAMP_SETTLED_NS = 2_000_000_000n;

function fileStamp(file: string): string | undefined {
  const st = fs.statSync(file, { bigint: true, throwIfNoEntry: false });
  return st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : undefined;
}

/** Whether `at` is long enough after the file's last change: the later of mtime and ctime (a FUSE file system may keep ctime still). */
function settled(stamp: string, at: number): boolean {
  try {
    const [mtimeNs, ctimeNs] = stamp.split(':').slice(3).map((n) => BigInt(n));
    if (mtimeNs === undefined || ctimeNs === undefined) return false;
    const changed = mtimeNs > ctimeNs ? mtimeNs : ctimeNs;
    return BigInt(Math.floor(at)) * 1_000_000n - changed >= STAMP_SETTLED_NS;
  } catch {
    return false;
  }
}

function sealOf(c: CheckedPair, chain: string, key: string, at: number): string {
  return sha256Hex(JSON.stringify([c.fingerprint, c.chainSha256, c.keySha256, c.notBefore, c.notAfter, chain, key, at]));
}

/** Whether the record's stamp says the files are still the ones that hashed to it (two stats, no hashing). */
function stampHolds(c: CheckedPair, targets: CertTargets): boolean {
  const st = c.stamp;
  if (!st || typeof st !== 'object' || typeof st.chain !== 'string' || typeof st.key !== 'string' || typeof st.at !== 'number' || typeof st.seal !== 'string') return false;
  if (!settled(st.chain, st.at) || !settled(st.key, st.at)) return false;
  if (fileStamp(targets.certFile) !== st.chain || fileStamp(targets.keyFile) !== st.key) return false;
  return sealOf(c, st.chain, st.key, st.at) === st.seal;
}

/** The record of a pair that parsed and matched (chain: a normalized chain, as installed). */
function checkedPair(chain: string, key: string): CheckedPair {
  const leaf = certificateOf(chain);
  return { fingerprint: leaf.fingerprint256, chainSha256: sha256Hex(chain), keySha256: sha256Hex(key), notBefore: epochSeconds(leaf.validFrom), notAfter: epochSeconds(leaf.validTo) };
}

const epochSeconds = (date: string): number => Math.floor(new Date(date).getTime() / 1000);

const CHAIN_WRITE = { mode: PUBLIC_FILE_MODE, dirMode: PUBLIC_DIR_MODE, keepDirMode: true } as const satisfies WriteOptions;
const KEY_WRITE = { mode: SECRET_FILE_MODE, dirMode: PUBLIC_DIR_MODE, keepDirMode: true } as const satisfies WriteOptions;

/** The installed pair and its source, as they are on disk now (no lock). */
export function readInstalled(targets: CertTargets): InstalledPair {
  const chain = readTextIfExists(targets.certFile);
  const key = readTextIfExists(targets.keyFile);
  return { chain, key, source: chain === undefined ? undefined : sourceOf(chain, readState(targets.stateFile)) };
}

/** The certificate files `cert info` describes: the installed chain, then the backup. */
export function installedChainFiles(targets: CertTargets): { filename: string; chain: string }[] {
  return [targets.certFile, `${targets.certFile}${BACKUP_SUFFIX}`].flatMap((filename) => {
    const chain = readTextIfExists(filename);
    return chain === undefined ? [] : [{ filename, chain }];
  });
}

/** What is wrong with an installed certificate file's content, or undefined when it is a readable chain. */
export function chainFileProblem(text: string): string | undefined {
  if (text.trim() === '') return 'the file is empty';
  try {
    parseCertificateChain(text, 'file');
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message.replace(/^file: /, '') : String(err);
  }
}

/**
 * Why the installed pair cannot be used (unreadable chain, missing/unreadable key, key not the
 * certificate's), as one phrase naming the file; undefined when it is fine or there is no chain.
 */
export function installedPairProblem(targets: CertTargets): string | undefined {
  const chain = readTextIfExists(targets.certFile);
  if (chain === undefined) return undefined;
  return pairProblem(targets, chain, readTextIfExists(targets.keyFile));
}

function pairProblem(targets: CertTargets, chain: string, key: string | undefined): string | undefined {
  const chainProblem = chainFileProblem(chain);
  if (chainProblem) return `'${targets.certFile}': ${chainProblem}`;
  if (key === undefined) return `'${targets.keyFile}' is missing`;
  try {
    if (!keyMatchesCertificate(key, chain)) return `'${targets.keyFile}' is not the key of '${targets.certFile}'`;
  } catch (err) {
    return `'${targets.keyFile}': ${err instanceof Error ? err.message : String(err)}`;
  }
  return undefined;
}

/** What renew needs to know about the installed pair, from one read of the files. */
export interface InstalledInspection {
  pair: InstalledPair;
  /** Why the pair cannot be used, as installedPairProblem says it; undefined when it is fine or there is no chain. */
  problem: string | undefined;
  /** The leaf's validity (epoch seconds); undefined when there is no usable pair. */
  validity: { notBefore: number; notAfter: number } | undefined;
  /** As readAcmeState: the ACME state of the installed chain. */
  acme: AcmeState | undefined;
  /** Whether the answers came from the state file's record of the checked pair (nothing parsed). */
  fromRecord: boolean;
}

/**
 * The installed pair as renew sees it: when the state file's record (`checked`) says these exact
 * bytes were checked, the answers come from it without parsing anything (node:crypto not
 * loaded); otherwise from the full checks, as installedPairProblem, readInstalled and
 * readAcmeState give them. When the full checks pass for the chain the state file describes but
 * the record is missing or stale, it is written (`record`, best effort; see recordCheckedPair).
 */
export async function inspectInstalled(targets: CertTargets, opts: { record: boolean }): Promise<InstalledInspection> {
  const chain = readTextIfExists(targets.certFile);
  const key = readTextIfExists(targets.keyFile);
  const state = readState(targets.stateFile);
  if (chain === undefined) return { pair: { chain, key, source: undefined }, problem: undefined, validity: undefined, acme: undefined, fromRecord: false };
  const holds = state !== undefined && key !== undefined ? recordHolds(state, targets, chain, key) : false;
  const recorded = holds ? state!.checked! : undefined;
  if (recorded) {
    // files changed moments ago (an install) cannot be stamped yet: no lock taken for nothing
    const now = Date.now();
    if (holds === 'hashes' && opts.record && [targets.certFile, targets.keyFile].every((f) => settled(fileStamp(f) ?? '', now))) {
      try {
        await stampCheckedPair(targets, recorded, chain, key!);
      } catch {
        // not stamping costs hashing next time, nothing else
      }
    }
    return {
      pair: { chain, key, source: state!.source },
      problem: undefined,
      validity: { notBefore: recorded.notBefore, notAfter: recorded.notAfter },
      acme: acmeOf(state!),
      fromRecord: true,
    };
  }
  const problem = pairProblem(targets, chain, key);
  const source = sourceOf(chain, state);
  const inspection: InstalledInspection = { pair: { chain, key, source }, problem, validity: undefined, acme: undefined, fromRecord: false };
  if (problem !== undefined) return inspection;
  const leaf = certificateOf(chain);
  inspection.validity = { notBefore: epochSeconds(leaf.validFrom), notAfter: epochSeconds(leaf.validTo) };
  inspection.acme = readAcmeState(targets, chain);
  // the state file describes this chain (same fingerprint) but has no record of these bytes
  if (opts.record && state !== undefined && chainFingerprint(chain) === state.fingerprint) {
    try {
      await recordCheckedPair(targets, chain, key!);
    } catch {
      // not recording costs a parse next time, nothing else
    }
  }
  return inspection;
}

/**
 * Whether the state's record describes exactly these files (and the chain the state names by
 * fingerprint): by its stamp (`stamp`: the files were not changed since they last hashed to it),
 * else by hashing them (`hashes`; @noble/hashes runs cold here, ~10 ms for a 2 KB chain).
 */
function recordHolds(state: InstallState, targets: CertTargets, chain: string, key: string): 'stamp' | 'hashes' | false {
  const c = state.checked;
  if (!c || typeof c !== 'object' || c.fingerprint !== state.fingerprint || typeof c.chainSha256 !== 'string' || typeof c.keySha256 !== 'string' || !Number.isInteger(c.notBefore) || !Number.isInteger(c.notAfter)) return false;
  if (stampHolds(c, targets)) return 'stamp';
  return sha256Hex(chain) === c.chainSha256 && sha256Hex(key) === c.keySha256 ? 'hashes' : false;
}

/**
 * After `chain` and `key` hashed to the record (`verified`): stamp it with the files' identity, under the
 * certificate lock, when the files still hold those bytes (stat, read, stat) and changed long
 * enough ago for the stamp to be trusted (else nothing: a later run stamps).
 */
async function stampCheckedPair(targets: CertTargets, verified: CheckedPair, chain: string, key: string): Promise<void> {
  await withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, async () => {
    const state = readState(targets.stateFile);
    const c = state?.checked;
    // the record `chain` and `key` were found to hash to, still in place
    if (!state || !c || c.chainSha256 !== verified.chainSha256 || c.keySha256 !== verified.keySha256 || c.fingerprint !== state.fingerprint) return;
    const before = [fileStamp(targets.certFile), fileStamp(targets.keyFile)];
    if (readTextIfExists(targets.certFile) !== chain || readTextIfExists(targets.keyFile) !== key) return;
    const [chainStamp, keyStamp] = [fileStamp(targets.certFile), fileStamp(targets.keyFile)];
    if (chainStamp === undefined || keyStamp === undefined || chainStamp !== before[0] || keyStamp !== before[1]) return;
    const at = Date.now();
    if (!settled(chainStamp, at) || !settled(keyStamp, at)) return;
    const { stamp: _, ...record } = c;
    writeState(targets.stateFile, { ...state, checked: { ...record, stamp: { chain: chainStamp, key: keyStamp, at, seal: sealOf(record, chainStamp, keyStamp, at) } } });
  });
}

/**
 * Record that the installed pair `chain` + `key` was checked, under the certificate lock: only
 * when the files still hold exactly these bytes and the state file still describes that chain,
 * keeping the rest of the state as it is.
 */
async function recordCheckedPair(targets: CertTargets, chain: string, key: string): Promise<void> {
  await withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, async () => {
    const state = readState(targets.stateFile);
    if (!state || readTextIfExists(targets.certFile) !== chain || readTextIfExists(targets.keyFile) !== key) return;
    if (state.fingerprint !== chainFingerprint(chain)) return;
    writeState(targets.stateFile, { ...state, checked: checkedPair(chain, key) });
  });
}

/** Whether a `.old` pair (or half of one) exists. */
export function hasBackup(targets: CertTargets): boolean {
  return [targets.certFile, targets.keyFile].some((file) => readTextIfExists(`${file}${BACKUP_SUFFIX}`) !== undefined);
}

/**
 * Install the pair `plan` returns, under the certificate lock. `plan` sees the current pair
 * (it may refuse by throwing, or return undefined for "nothing to do"). The new pair must
 * match before anything is written; on any failure the previous pair stays in place.
 *
 * Two paths cannot change in one step, so an install is journaled:
 *   1. the new key and chain are staged beside their targets (`.<name>.certnode-new`);
 *   2. the journal (`<state file>.journal`) is written: from here on, the install is completed;
 *   3. the `.old` pair becomes a copy of the current pair (or goes, for `cert delete`);
 *   4. the staged key, then the staged chain, are renamed over their targets;
 *   5. the state file is written and the journal removed.
 * A crash before 2 leaves the old pair (the staged files are removed by the next install or
 * recovery); a crash after it is completed by the next command that touches the pair
 * (`completeUnfinishedInstall`), which redoes 3 while both staged files still exist.
 */
export async function installCertificate(
  targets: CertTargets,
  plan: (current: InstalledPair) => NewPair | undefined | Promise<NewPair | undefined>,
  opts: InstallOptions,
): Promise<InstallOutcome> {
  return withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, async () => {
    recoverLocked(targets);
    const current = readInstalled(targets);
    const next = await plan(current);
    if (!next) return { installed: false, pair: current };
    const chain = parseCertificateChain(next.chain, 'certificates');
    if (!keyMatchesCertificate(next.key, chain)) {
      throw new CliError('Setting certificate files failed - key does not match the certificate (chain)');
    }
    const state: InstallState = {
      source: next.source,
      fingerprint: chainFingerprint(chain),
      installed: Math.floor(opts.now.getTime() / 1000),
      ...(next.acme ? { acme: next.acme } : {}),
      checked: checkedPair(chain, next.key),
    };
    const unchanged = current.chain === chain && current.key === next.key;
    if (unchanged) {
      writeState(targets.stateFile, state);
      return { installed: true, pair: { chain, key: next.key, source: next.source } };
    }
    const journal: Journal = { certFile: targets.certFile, keyFile: targets.keyFile, backup: opts.backup, chainSha256: sha256Hex(chain), keySha256: sha256Hex(next.key), state };
    writeFileAtomic(staged(targets.keyFile), next.key, replacing(targets.keyFile, KEY_WRITE, targets, 0o770));
    writeFileAtomic(staged(targets.certFile), chain, replacing(targets.certFile, CHAIN_WRITE, targets, 0o777));
    writeFileAtomic(journalFile(targets), `${JSON.stringify(journal, null, 2)}\n`, { mode: SECRET_FILE_MODE, dirMode: PUBLIC_DIR_MODE });
    complete(targets, journal);
    return { installed: true, pair: { chain, key: next.key, source: next.source } };
  });
}

/**
 * The PVE layout's default pair (nodes/<node>/pveproxy-ssl.*) has a fallback of its own: without
 * it pveproxy serves PVE's nodes/<node>/pve-ssl.pem, signed by the cluster CA. There certnode
 * removes the pair where it would otherwise install a self-signed one. Returns that file, or undefined.
 */
export function proxmoxFallback(paths: Paths, targets: CertTargets): string | undefined {
  if (paths.layout !== 'pve' || targets.certFile !== paths.defaultCertFile) return undefined;
  return path.join(path.dirname(paths.defaultCertFile), 'pve-ssl.pem');
}

/**
 * Remove the installed pair, its backup and its state (PVE's `cert delete`: pveproxy then serves
 * PVE's own pve-ssl.pem). The chain goes first, so a crash never leaves a chain without its key.
 * Resolves to whether there was anything to remove.
 */
export function removeInstalledPair(targets: CertTargets): Promise<boolean> {
  return withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, () => {
    recoverLocked(targets);
    const files = [targets.certFile, targets.keyFile, `${targets.certFile}${BACKUP_SUFFIX}`, `${targets.keyFile}${BACKUP_SUFFIX}`, targets.stateFile];
    let removed = false;
    for (const file of files) removed = removeFile(file) || removed;
    return removed;
  });
}

/** What an unfinished install needs to be completed; no key material (that is in the staged key file). */
interface Journal {
  certFile: string;
  keyFile: string;
  backup: boolean;
  chainSha256: string;
  keySha256: string;
  state: InstallState;
}

function journalFile(targets: CertTargets): string {
  return `${targets.stateFile}.journal`;
}

/** The staged new version of `file`, beside it (a rename is atomic only within a directory's file system). */
function staged(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.certnode-new`);
}

/** Steps 3 to 5; idempotent, so a crash anywhere in it is completed by running it again. */
function complete(targets: CertTargets, journal: Journal): void {
  const stagedKey = staged(journal.keyFile);
  const stagedChain = staged(journal.certFile);
  const keyStaged = fs.existsSync(stagedKey);
  const chainStaged = fs.existsSync(stagedChain);
  if (keyStaged && chainStaged) {
    // Nothing renamed yet: the targets still hold the previous pair, so the backup can be (re)made from them.
    const current = { chain: readTextIfExists(journal.certFile), key: readTextIfExists(journal.keyFile) };
    if (journal.backup) backUp(journal, current);
    else removeBackups(journal);
  }
  const finish = (stagedFile: string, file: string, sha: string, what: string): void => {
    if (fs.existsSync(stagedFile)) {
      renameOver(stagedFile, file);
      return;
    }
    const now = readTextIfExists(file);
    if (now === undefined || sha256Hex(now) !== sha) {
      throw new CliError(`unable to complete the interrupted certificate install ('${journalFile(targets)}') - the new ${what} is gone from '${stagedFile}' and '${file}' does not hold it`);
    }
  };
  finish(stagedKey, journal.keyFile, journal.keySha256, 'key');
  finish(stagedChain, journal.certFile, journal.chainSha256, 'certificate chain');
  writeState(targets.stateFile, journal.state);
  removeFile(journalFile(targets));
}

/** Under the certificate lock: complete a journaled install, or drop staged files no journal refers to. Returns what was done. */
function recoverLocked(targets: CertTargets): string | undefined {
  const file = journalFile(targets);
  const text = readTextIfExists(file);
  if (text === undefined) {
    for (const f of [staged(targets.keyFile), staged(targets.certFile)]) removeFile(f);
    return undefined;
  }
  let journal: Journal;
  try {
    journal = JSON.parse(text) as Journal;
    if (typeof journal.certFile !== 'string' || typeof journal.keyFile !== 'string' || typeof journal.keySha256 !== 'string' || typeof journal.chainSha256 !== 'string' || typeof journal.state !== 'object') throw new Error('incomplete');
  } catch {
    // Written atomically, so only a hand-edited journal gets here: the staged files cannot be trusted either.
    for (const f of [staged(targets.keyFile), staged(targets.certFile)]) removeFile(f);
    removeFile(file);
    return `dropped an unreadable install journal '${file}'; the installed pair was left as it is`;
  }
  complete(targets, journal);
  return `completed an interrupted certificate install ('${journal.certFile}', '${journal.keyFile}')`;
}

/**
 * Before a command reads or replaces the installed pair: complete an install a crash interrupted.
 * Returns the one line to tell the user, or undefined when there was nothing to do.
 */
export async function completeUnfinishedInstall(targets: CertTargets): Promise<string | undefined> {
  const pending = [journalFile(targets), staged(targets.keyFile), staged(targets.certFile)].some((f) => fs.existsSync(f));
  if (!pending) return undefined;
  return withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, () => recoverLocked(targets));
}

function writeState(file: string, state: InstallState): void {
  writeFileAtomic(file, `${JSON.stringify(state, null, 2)}\n`, CHAIN_WRITE);
}

/** The ACME state of the installed chain (undefined when the state file does not describe it or it is not from ACME). */
export function readAcmeState(targets: CertTargets, chain: string): AcmeState | undefined {
  const state = readState(targets.stateFile);
  if (!state || !acmeOf(state)) return undefined;
  try {
    return chainFingerprint(chain) === state.fingerprint ? state.acme : undefined;
  } catch {
    return undefined;
  }
}

/** The state's ACME part, when it is an ACME certificate's (whichever chain it describes). */
function acmeOf(state: InstallState): AcmeState | undefined {
  return state.source === 'acme' && state.acme && typeof state.acme.directory === 'string' ? state.acme : undefined;
}

/** Record an ARI answer for the installed chain, under the certificate lock; a no-op when another chain was installed meanwhile. */
export async function saveAriState(targets: CertTargets, chain: string, ari: AriState): Promise<void> {
  await withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, async () => {
    const state = readState(targets.stateFile);
    if (!state?.acme || state.fingerprint !== chainFingerprint(chain)) return;
    const next: InstallState = { ...state, acme: { ...state.acme, ari } };
    writeFileAtomic(targets.stateFile, `${JSON.stringify(next, null, 2)}\n`, CHAIN_WRITE);
  });
}

/** `.old` becomes exactly what the file held before: a copy, or nothing when there was none. */
function backUp(targets: Pick<CertTargets, 'certFile' | 'keyFile'>, current: Pick<InstalledPair, 'chain' | 'key'>): void {
  const copy = (file: string, content: string | undefined, write: WriteOptions): void => {
    if (content === undefined) removeFile(`${file}${BACKUP_SUFFIX}`);
    else writeFileAtomic(`${file}${BACKUP_SUFFIX}`, content, write);
  };
  copy(targets.keyFile, current.key, KEY_WRITE);
  copy(targets.certFile, current.chain, CHAIN_WRITE);
}

function removeBackups(targets: Pick<CertTargets, 'certFile' | 'keyFile'>): void {
  removeFile(`${targets.keyFile}${BACKUP_SUFFIX}`);
  removeFile(`${targets.certFile}${BACKUP_SUFFIX}`);
}

function readState(file: string): InstallState | undefined {
  const text = readTextIfExists(file);
  if (text === undefined) return undefined;
  try {
    const state = JSON.parse(text) as Partial<InstallState>;
    if (typeof state.fingerprint !== 'string' || !['acme', 'custom', 'self-signed'].includes(String(state.source))) return undefined;
    return state as InstallState;
  } catch {
    return undefined;
  }
}

function sourceOf(chain: string, state: InstallState | undefined): CertSource {
  if (!state) return 'custom';
  try {
    return chainFingerprint(chain) === state.fingerprint ? state.source : 'custom';
  } catch {
    return 'custom';
  }
}

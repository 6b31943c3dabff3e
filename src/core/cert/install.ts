// Installing a certificate chain and its key: verified first, key then chain, each atomic,
// the previous pair kept as `<file>.old`, all under one lock; plus where the pair came from.
//
// Files (cert-file and cert-key-file come from node.cfg, defaults under <config-dir>/certs/):
//   <cert-file>        the chain, leaf first (0644)      <cert-file>.old      the chain before the last install
//   <cert-key-file>    its private key (0600)             <cert-key-file>.old  the key before the last install
//   <config-dir>/certs/certnode.json   {source, fingerprint, installed, acme?}: acme | custom | self-signed;
//                                      `acme` (ACME certificates): the account's directory, its renewalInfo
//                                      URL and the last ARI answer, so `acme cert renew` needs no directory
//   <config-dir>/certs/certnode.json.lock   taken by every install, so two installs never interleave

import type { CertSettings } from '../config/node.ts';
import { CliError } from '../errors.ts';
import type { Paths } from '../paths.ts';
import { LOCK_WAIT_MS, PUBLIC_DIR_MODE, PUBLIC_FILE_MODE, readTextIfExists, removeFile, SECRET_FILE_MODE, withLock, writeFileAtomic, type WriteOptions } from '../store/store.ts';
import { keyMatchesCertificate } from './keys.ts';
import { parseCertificateChain } from './pem.ts';
import { chainFingerprint } from './x509.ts';

export type CertSource = 'acme' | 'custom' | 'self-signed';
export const BACKUP_SUFFIX = '.old';
const LOCK_TIMEOUT_MS = LOCK_WAIT_MS;

export interface CertTargets {
  certFile: string;
  keyFile: string;
  stateFile: string;
}

export function certTargets(settings: Pick<CertSettings, 'certFile' | 'keyFile'>, paths: Paths): CertTargets {
  return { certFile: settings.certFile, keyFile: settings.keyFile, stateFile: paths.certStateFile };
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
}

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

/** Whether a `.old` pair (or half of one) exists. */
export function hasBackup(targets: CertTargets): boolean {
  return [targets.certFile, targets.keyFile].some((file) => readTextIfExists(`${file}${BACKUP_SUFFIX}`) !== undefined);
}

/**
 * Install the pair `plan` returns, under the certificate lock. `plan` sees the current pair
 * (it may refuse by throwing, or return undefined for "nothing to do"). The new pair must
 * match before anything is written; on any failure the previous pair stays in place.
 */
export async function installCertificate(
  targets: CertTargets,
  plan: (current: InstalledPair) => NewPair | undefined | Promise<NewPair | undefined>,
  opts: InstallOptions,
): Promise<InstallOutcome> {
  return withLock(targets.stateFile, { timeoutMs: LOCK_TIMEOUT_MS, dirMode: PUBLIC_DIR_MODE }, async () => {
    const current = readInstalled(targets);
    const next = await plan(current);
    if (!next) return { installed: false, pair: current };
    const chain = parseCertificateChain(next.chain, 'certificates');
    if (!keyMatchesCertificate(next.key, chain)) {
      throw new CliError('Setting certificate files failed - key does not match the certificate (chain)');
    }
    const unchanged = current.chain === chain && current.key === next.key;
    if (!unchanged) {
      if (opts.backup) backUp(targets, current);
      else removeBackups(targets);
      writePair(targets, chain, next.key, current);
    }
    const state: InstallState = { source: next.source, fingerprint: chainFingerprint(chain), installed: Math.floor(opts.now.getTime() / 1000), ...(next.acme ? { acme: next.acme } : {}) };
    writeFileAtomic(targets.stateFile, `${JSON.stringify(state, null, 2)}\n`, CHAIN_WRITE);
    return { installed: true, pair: { chain, key: next.key, source: next.source } };
  });
}

/** The ACME state of the installed chain (undefined when the state file does not describe it or it is not from ACME). */
export function readAcmeState(targets: CertTargets, chain: string): AcmeState | undefined {
  const state = readState(targets.stateFile);
  if (!state || state.source !== 'acme' || !state.acme || typeof state.acme.directory !== 'string') return undefined;
  try {
    return chainFingerprint(chain) === state.fingerprint ? state.acme : undefined;
  } catch {
    return undefined;
  }
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
function backUp(targets: CertTargets, current: InstalledPair): void {
  const copy = (file: string, content: string | undefined, write: WriteOptions): void => {
    if (content === undefined) removeFile(`${file}${BACKUP_SUFFIX}`);
    else writeFileAtomic(`${file}${BACKUP_SUFFIX}`, content, write);
  };
  copy(targets.keyFile, current.key, KEY_WRITE);
  copy(targets.certFile, current.chain, CHAIN_WRITE);
}

function removeBackups(targets: CertTargets): void {
  removeFile(`${targets.keyFile}${BACKUP_SUFFIX}`);
  removeFile(`${targets.certFile}${BACKUP_SUFFIX}`);
}

/** Key first, then chain (PBS's order); if the chain cannot be written, the old key goes back. */
function writePair(targets: CertTargets, chain: string, key: string, current: InstalledPair): void {
  writeFileAtomic(targets.keyFile, key, KEY_WRITE);
  try {
    writeFileAtomic(targets.certFile, chain, CHAIN_WRITE);
  } catch (err) {
    try {
      if (current.key === undefined) removeFile(targets.keyFile);
      else writeFileAtomic(targets.keyFile, current.key, KEY_WRITE);
    } catch {
      // The first error is the one to report; the key's backup is in `<key>.old`.
    }
    throw err;
  }
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

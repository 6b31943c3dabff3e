// What `cert info` and the metrics say about the installed certificate and its backup:
// role, source, days left, and for an ACME certificate when renewal is due and the CA's
// last known ARI window (from the install state; nothing is fetched here).

import { BACKUP_SUFFIX, readAcmeState, readInstalled, type AriState, type CertSource, type CertTargets } from './install.ts';
import { certificateOf } from './pem.ts';
import { combineWithAri, renewalDecision } from './renewal.ts';

const DAY_SECONDS = 86_400;

export interface CertStatus {
  role: 'installed' | 'backup';
  /** The installed certificate's source; undefined for the backup (the state describes only the installed one). */
  source: CertSource | undefined;
  notBefore: number;
  notAfter: number;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
  /** ACME certificates: epoch seconds from which renewal is due, and why. */
  renewal?: { due: number; reason: 'lifetime' | 'ari' };
  ari?: AriState;
}

const epoch = (date: string): number => Math.floor(new Date(date).getTime() / 1000);

/** The status of one certificate (pure but for the install state read for ACME ones). */
export function certStatus(chain: string, role: CertStatus['role'], source: CertSource | undefined, targets: CertTargets, now: Date): CertStatus {
  const cert = certificateOf(chain);
  const notBefore = epoch(cert.validFrom);
  const notAfter = epoch(cert.validTo);
  const status: CertStatus = { role, source, notBefore, notAfter, daysLeft: Math.floor((notAfter - now.getTime() / 1000) / DAY_SECONDS) };
  if (role === 'installed' && source === 'acme') {
    const ari = readAcmeState(targets, chain)?.ari;
    const decision = combineWithAri(renewalDecision(new Date(notBefore * 1000), new Date(notAfter * 1000), now), ari, now, new Date(notAfter * 1000));
    status.renewal = { due: Math.floor(decision.dueAt.getTime() / 1000), reason: decision.reason };
    if (ari) status.ari = ari;
  }
  return status;
}

/** The installed certificate's status, or undefined when none is installed (or it cannot be read). */
export function installedStatus(targets: CertTargets, now: Date): CertStatus | undefined {
  const pair = readInstalled(targets);
  if (pair.chain === undefined) return undefined;
  try {
    return certStatus(pair.chain, 'installed', pair.source, targets, now);
  } catch {
    return undefined;
  }
}

export function backupFile(targets: CertTargets): string {
  return `${targets.certFile}${BACKUP_SUFFIX}`;
}

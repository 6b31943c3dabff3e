// What a renewal decides from without ordering anything: the node's certificate settings, the
// ACME certificate installed, its lifetime, the CA's ARI window (stored, or one GET when the
// stored answer is stale) and the node's account. A renewal that is not due loads only this
// (and what it imports), not the ACME client, the challenge plugins or the task log.

import type { X509Certificate } from 'node:crypto';
import type { CommandEnv } from '../env.ts';
import type { Context } from '../../context.ts';
import { accountExists } from '../config/accounts.ts';
import { certSettings, nodeAccount, type CertSettings } from '../config/node.ts';
import { loadNodeConfig } from '../config/repo.ts';
import { certTargets, completeUnfinishedInstall, readInstalled, saveAriState, type AcmeState, type AriState, type CertTargets, type InstalledInspection, type InstalledPair } from '../cert/install.ts';
import { certificateOf } from '../cert/pem.ts';
import { renewalDecision, type RenewalDecision } from '../cert/renewal.ts';
import { CliError } from '../errors.ts';

export interface NodeCertContext {
  settings: CertSettings;
  targets: CertTargets;
}

/** The node's certificate settings, after completing an install a crash interrupted (said in one line on stderr). */
export async function nodeCertContext(env: CommandEnv): Promise<NodeCertContext> {
  const settings = certSettings(loadNodeConfig(env.paths).config, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile });
  const targets = certTargets(settings, env.paths);
  const done = await completeUnfinishedInstall(targets);
  if (done !== undefined) env.ctx.io.stderr.write(`certnode: ${done}\n`);
  return { settings, targets };
}

/** Fail before a task starts when the node's ACME account is missing, saying how to create it. */
export function requireNodeAccount(env: CommandEnv): string {
  const name = nodeAccount(loadNodeConfig(env.paths).config);
  if (!accountExists(env.paths, name)) {
    throw new CliError(`ACME account config file '${name}' does not exist. - register it first: certnode acme account register ${name} <email>`);
  }
  return name;
}

/** The ACME certificate installed now, or the pvenode error for "there is none". */
export function installedAcmeCertificate(targets: CertTargets): { pair: InstalledPair; cert: X509Certificate } {
  const pair = readInstalled(targets);
  if (pair.chain === undefined || pair.source === 'self-signed') {
    throw new CliError('No current (custom) certificate found, please order a new certificate!');
  }
  return { pair, cert: certificateOf(pair.chain) };
}

/** The installed ACME certificate as inspectInstalled found it (usable), or the pvenode error for "there is none". */
export function installedAcmePair(inspection: InstalledInspection): { pair: InstalledPair & { chain: string }; validity: { notBefore: number; notAfter: number } } {
  const { pair, validity } = inspection;
  if (pair.chain === undefined || pair.source === 'self-signed' || validity === undefined) {
    throw new CliError('No current (custom) certificate found, please order a new certificate!');
  }
  return { pair: { ...pair, chain: pair.chain }, validity };
}

export interface RenewCheck {
  decision: RenewalDecision;
  notAfter: Date;
}

/** The lifetime rule for a certificate valid from notBefore to notAfter (epoch seconds). */
export function renewCheck(validity: { notBefore: number; notAfter: number }, now: Date): RenewCheck {
  const notAfter = new Date(validity.notAfter * 1000);
  return { decision: renewalDecision(new Date(validity.notBefore * 1000), notAfter, now), notAfter };
}

/** What ariCheck found: the CA's window, or why there is none (undefined: the CA offers no ARI). */
export type AriCheck = { ari: AriState; fallback?: undefined } | { ari?: undefined; fallback: string } | undefined;

/**
 * The CA's renewal window for the installed ACME certificate (RFC 9773), when its CA offers ARI:
 * the stored answer while its Retry-After lasts, else a fresh GET (bounded). When that fails the
 * caller falls back to the lifetime rule and says so (`fallback` is the one-line reason).
 * Needs no directory fetch and no ACME library. `state`: the chain's ACME state (inspectInstalled).
 */
export async function ariCheck(ctx: Context, targets: CertTargets, chain: string, state: AcmeState | undefined, random: () => number = Math.random): Promise<AriCheck> {
  if (!state?.renewalInfo) return undefined;
  const now = Math.floor(ctx.now().getTime() / 1000);
  if (state.ari && now < state.ari.nextCheck) return { ari: state.ari };
  // node:https and the ARI client only when the stored answer is stale
  const { certId, fetchRenewalInfo, renewalInstant } = await import('./ari.ts');
  const id = certId(certificateOf(chain).raw); // parsed only now: this path does a GET anyway
  if (!id) return { fallback: 'the certificate has no authority key identifier' };
  const result = await fetchRenewalInfo(ctx, state.renewalInfo, id);
  if (!result.ok) return { fallback: result.reason };
  const info = result.info;
  const ari: AriState = {
    start: info.start,
    end: info.end,
    renewAt: renewalInstant(info, state.ari, random),
    nextCheck: info.nextCheck,
    ...(info.explanationURL ? { explanationURL: info.explanationURL } : {}),
  };
  try {
    await saveAriState(targets, chain, ari);
  } catch {
    // not persisting costs one more GET next time, nothing else
  }
  return { ari };
}

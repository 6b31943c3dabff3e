// The ACME certificate tasks behind `acme cert order|renew|revoke`: order, install, reload,
// one at a time (a lock), never touching the installed pair unless a new one is in hand.

import { X509Certificate } from 'node:crypto';
import * as path from 'node:path';
import type { CommandEnv } from '../env.ts';
import { VERSION } from '../../version.ts';
import { configuredDomains, nodeAccount, nodePreferredChain, nodeProfile, pluginNodesRefusal, type CertSettings, type ConfiguredDomain } from '../config/node.ts';
import type { PluginsConfig } from '../config/plugins-cfg.ts';
import { loadNodeConfig, loadPlugins } from '../config/repo.ts';
import { localHostNames } from '../cert/hostnames.ts';
import { installCertificate, proxmoxFallback, readAcmeState, readInstalled, removeInstalledPair, type CertTargets, type InstalledPair } from '../cert/install.ts';
import { runReloadCommand } from '../cert/reload.ts';
import { installSelfSigned } from '../cert/selfsigned.ts';
import { AcmeProblemError, CliError, ConflictError, ReloadFailedError, UsageError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import { lockHolder } from '../store/lock.ts';
import { PUBLIC_DIR_MODE, withLock } from '../store/store.ts';
import { certId } from './ari.ts';
import { installedAcmeCertificate, nodeCertContext, requireNodeAccount, type NodeCertContext } from './installed.ts';
import { openAcme } from './client.ts';
import { withAccountHint } from './hints.ts';
import { settledAccount } from './rollover.ts';
import { orderCertificate, type DryRunResult, type OrderResult } from './order.ts';

export { ariCheck, installedAcmeCertificate, nodeCertContext, renewCheck, requireNodeAccount, type AriCheck, type NodeCertContext, type RenewCheck } from './installed.ts';

/** One order/renew/revoke at a time per config dir: a second run fails at once instead of waiting. */
export async function withCertificateTaskLock<T>(env: CommandEnv, fn: () => Promise<T>): Promise<T> {
  const lockBase = path.join(env.paths.certsDir, 'acme-task');
  try {
    return await withLock(lockBase, { timeoutMs: 0, dirMode: PUBLIC_DIR_MODE }, fn);
  } catch (err) {
    if (err instanceof ConflictError && err.message.startsWith("can't lock file")) {
      throw new CliError(`another certnode order, renewal or revocation is running (lock '${lockBase}.lock', ${lockHolder(`${lockBase}.lock`)})`);
    }
    throw err;
  }
}

/** The names this node orders, after checking that their plugins may serve it (a plugin's `nodes`): before any CA contact. */
export function nodeDomains(env: CommandEnv, nodeCfg = loadNodeConfig(env.paths).config, plugins: PluginsConfig = loadPlugins(env.paths).config): ConfiguredDomain[] {
  const domains = configuredDomains(nodeCfg, plugins);
  const refusal = pluginNodesRefusal(domains, plugins, env.paths.node);
  if (refusal !== undefined) throw new CliError(refusal);
  return domains;
}

/** Order a certificate for the configured names, install it (source acme) and run the reload command. */
export async function orderAndInstall(env: CommandEnv, log: TaskLog, nodeCert: NodeCertContext, mayReplace: (current: InstalledPair) => void): Promise<OrderResult> {
  const nodeCfg = loadNodeConfig(env.paths).config;
  const plugins = loadPlugins(env.paths).config;
  const domains = nodeDomains(env, nodeCfg, plugins);
  const accountName = nodeAccount(nodeCfg);
  const result = await orderCertificate(
    { ctx: env.ctx, paths: env.paths, log },
    { accountName, domains, plugins, keyType: nodeCert.settings.keyType, profile: nodeProfile(nodeCfg), preferredChain: nodePreferredChain(nodeCfg), replaces: replacing(nodeCert.targets) },
  ).catch((err: unknown) => {
    throw withAccountHint(err, accountName);
  });
  log.info('Installing certificate and key');
  await installCertificate(
    nodeCert.targets,
    (current) => {
      mayReplace(current);
      return { chain: result.chain, key: result.key, source: 'acme', acme: { directory: result.directory, ...(result.renewalInfo ? { renewalInfo: result.renewalInfo } : {}) } };
    },
    { now: env.ctx.now(), backup: true },
  );
  await reloadAfterInstall(env, log, nodeCert.settings, 'certificate installed');
  return result;
}

/** --dry-run: the order as `orderAndInstall` places it (without `replaces`), stopped once every name is validated. */
export async function dryRunOrder(env: CommandEnv, log: TaskLog): Promise<DryRunResult> {
  const nodeCfg = loadNodeConfig(env.paths).config;
  const plugins = loadPlugins(env.paths).config;
  const nodeCert = await nodeCertContext(env);
  const result = await orderCertificate(
    { ctx: env.ctx, paths: env.paths, log },
    { accountName: nodeAccount(nodeCfg), domains: nodeDomains(env, nodeCfg, plugins), plugins, keyType: nodeCert.settings.keyType, profile: nodeProfile(nodeCfg), dryRun: true },
  );
  log.info(`Dry run OK: all ${result.names.length} names validated`);
  return result;
}

/**
 * The installed ACME certificate's CertID, directory and names, for `replaces` (undefined when
 * there is none or it cannot be told).
 */
function replacing(targets: CertTargets): { certId: string; directory: string; identifiers: string[] } | undefined {
  const pair = readInstalled(targets);
  if (pair.chain === undefined || pair.source !== 'acme') return undefined;
  const state = readAcmeState(targets, pair.chain);
  if (!state) return undefined;
  try {
    const cert = new X509Certificate(pair.chain);
    const id = certId(cert.raw);
    return id ? { certId: id, directory: state.directory, identifiers: sanValues(cert.subjectAltName) } : undefined;
  } catch {
    return undefined;
  }
}

/** `DNS:a.example, IP Address:192.0.2.1` -> `['a.example', '192.0.2.1']` (lower case). */
export function sanValues(subjectAltName: string | undefined): string[] {
  if (!subjectAltName) return [];
  return subjectAltName
    .split(/,\s*/)
    .map((entry) => /^(?:DNS|IP Address):(.+)$/.exec(entry.trim())?.[1]?.toLowerCase())
    .filter((v): v is string => v !== undefined);
}

export async function reload(env: CommandEnv, log: TaskLog, settings: CertSettings): Promise<void> {
  if (settings.reloadCommand === undefined) return;
  log.info(`Running reload command: ${settings.reloadCommand}`);
  await runReloadCommand(settings.reloadCommand, { env: env.ctx.env, certFile: settings.certFile, keyFile: settings.keyFile, log });
}

/** The reload after a successful install: its failure says the pair is in place (ReloadFailedError, its own exit status). */
async function reloadAfterInstall(env: CommandEnv, log: TaskLog, settings: CertSettings, done: string): Promise<void> {
  try {
    await reload(env, log, settings);
  } catch (err) {
    throw new ReloadFailedError(`${done}; reload command failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** RFC 5280 revocation reasons that ACME allows. */
export const REVOCATION_REASONS: Record<string, number> = {
  unspecified: 0,
  keyCompromise: 1,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
};

export function parseRevocationReason(value: string): number {
  if (/^\d+$/.test(value) && Object.values(REVOCATION_REASONS).includes(Number(value))) return Number(value);
  const code = REVOCATION_REASONS[value];
  if (code === undefined) throw new UsageError(`value '${value}' does not have a value in the enumeration '${Object.keys(REVOCATION_REASONS).join(', ')}' (or their codes)`, 'reason');
  return code;
}

/** Revoke the installed certificate with the node's account key, then fall back to a self-signed pair. */
export async function revokeInstalled(env: CommandEnv, log: TaskLog, nodeCert: NodeCertContext, reason: number | undefined): Promise<{ serial: string }> {
  const { cert } = installedAcmeCertificate(nodeCert.targets);
  const accountName = requireNodeAccount(env);
  log.info('Loading ACME account details');
  const accountFile = await settledAccount(env.ctx, env.paths, accountName, log);
  const acme = await openAcme(env.ctx, { directoryUrl: accountFile.directory, version: VERSION });
  log.info('Revoking old certificate');
  try {
    await acme.account(accountFile.key, accountFile.location).revoke(cert.raw, reason);
  } catch (err) {
    const expired = err instanceof AcmeProblemError && /Certificate is expired/i.test(err.message);
    const already = err instanceof AcmeProblemError && err.type === 'urn:ietf:params:acme:error:alreadyRevoked';
    if (!expired && !already) throw new CliError(`Revoke request to CA failed: ${err instanceof Error ? err.message : String(err)}`);
    log.info(`The CA says: ${err.message} - continuing`);
  }
  log.info('Deleting certificate files');
  const fallback = proxmoxFallback(env.paths, nodeCert.targets);
  if (fallback !== undefined) {
    await removeInstalledPair(nodeCert.targets);
    log.info(`pveproxy falls back to PVE's own ${fallback}`);
    await reloadAfterInstall(env, log, nodeCert.settings, 'certificate revoked and removed');
  } else {
    log.info('Installing a self-signed certificate in their place');
    await installSelfSigned(nodeCert.targets, { keyType: nodeCert.settings.keyType, names: await localHostNames(), now: env.ctx.now(), backup: false });
    await reloadAfterInstall(env, log, nodeCert.settings, 'certificate revoked, self-signed certificate installed');
  }
  return { serial: cert.serialNumber.toLowerCase() };
}

// The order engine (RFC 8555 §7.4): newOrder with every configured name, all authorizations
// worked in parallel, the order polled (honouring Retry-After) until ready, finalize, download.
// Task-log lines follow pvenode's wording (reference §3.2).

import { X509Certificate } from 'node:crypto';
import type { Context } from '../../context.ts';
import { VERSION } from '../../version.ts';
import { loadAccount } from '../config/accounts.ts';
import { NO_DOMAINS } from './hints.ts';
import type { ConfiguredDomain } from '../config/node.ts';
import { findPlugin } from '../config/plugins.ts';
import type { PluginsConfig } from '../config/plugins-cfg.ts';
import { generatePrivateKey, type KeyType } from '../cert/keys.ts';
import { ChallengeSession, CHALLENGE_TYPE, type ChallengeTask } from '../challenge/session.ts';
import { AcmeProblemError, CancelledError, CliError, PluginError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { waitFor, type Poll } from '../wait.ts';
import { createCsr, openAcme, type AcmeAccount, type AcmeAuthorization, type AcmeOrder, type AcmeProblem, type AcmeResource, type AcmeService } from './client.ts';

/** Upper bounds of the waits (each reports what it waited for when it gives up). */
export const VALIDATION_TIMEOUT_MS = 10 * 60_000;
export const ISSUANCE_TIMEOUT_MS = 10 * 60_000;
const MAX_RETRY_AFTER_MS = 30_000;
/**
 * First looks at the order after triggering validation / finalizing. CAs need a moment for
 * either (Pebble a few ms, Let's Encrypt around a second); looking earlier only costs requests.
 */
const FIRST_VALIDATION_POLL_MS = 400;
const FIRST_ISSUANCE_POLL_MS = 150;

export interface OrderRequest {
  accountName: string;
  domains: readonly ConfiguredDomain[];
  plugins: PluginsConfig;
  keyType: KeyType;
  /** Issuer CN of the chain to prefer among the CA's alternates (RFC 8555 §7.4.2). */
  preferredChain?: string | undefined;
  /** ACME profile to order with; checked against the directory's meta.profiles. */
  profile?: string | undefined;
  /**
   * The ARI CertID of the certificate this order replaces, and the directory that certificate
   * came from: sent as `replaces` only to that same CA, and only when it offers ARI.
   */
  replaces?: { certId: string; directory: string } | undefined;
}

export interface OrderResult {
  chain: string;
  key: string;
  orderUrl: string;
  /** ACME HTTP requests this order made (directory and nonces included). */
  requests: number;
  /** The account's directory URL and its renewalInfo URL (when the CA offers ARI). */
  directory: string;
  renewalInfo: string | undefined;
}

const ALREADY_REPLACED = 'urn:ietf:params:acme:error:alreadyReplaced';
const MALFORMED = 'urn:ietf:params:acme:error:malformed';

/** The CA refused `replaces` (already replaced, or a CA that chokes on it): worth one retry without it. */
function refusedReplaces(err: unknown): boolean {
  if (!(err instanceof AcmeProblemError)) return false;
  return err.type === ALREADY_REPLACED || (err.type === MALFORMED && /replaces/i.test(err.message));
}

export interface OrderDeps {
  ctx: Context;
  paths: Paths;
  log: TaskLog;
}

/** A configured name as the CA's authorization names it (`*.` + value for wildcards). */
function authzName(authz: AcmeAuthorization): string {
  return `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`.toLowerCase();
}

export function orderIdentifiers(domains: readonly ConfiguredDomain[]): { type: string; value: string }[] {
  return domains.map((d) => ({ type: d.kind === 'ip' ? 'ip' : 'dns', value: d.domain.toLowerCase() }));
}

function problemText(problem: AcmeProblem | undefined): string | undefined {
  if (!problem) return undefined;
  const subs = (problem.subproblems ?? []).map((s) => [s.identifier?.value, s.detail].filter(Boolean).join(': ')).filter(Boolean);
  const text = [problem.detail, ...subs].filter(Boolean).join('; ');
  return text === '' ? problem.type : text;
}

/** Sleeps and waits that end early, with CancelledError, on SIGINT/SIGTERM. */
function interruptible(ctx: Context): { sleep: (ms: number) => Promise<void>; check: () => void; release: () => void } {
  let cancelled: string | undefined;
  const wakers = new Set<() => void>();
  const release = ctx.onInterrupt((signal) => {
    cancelled = signal;
    for (const wake of wakers) wake();
  });
  const check = (): void => {
    if (cancelled) throw new CancelledError(`interrupted by ${cancelled}`);
  };
  const sleep = async (ms: number): Promise<void> => {
    check();
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      }
      wakers.add(done);
    });
    check();
  };
  return { sleep, check, release };
}

export async function orderCertificate(deps: OrderDeps, req: OrderRequest): Promise<OrderResult> {
  const { ctx, log } = deps;
  const names = new Map(req.domains.map((d) => [d.domain.toLowerCase(), d]));
  if (names.size === 0) throw new CliError(NO_DOMAINS);

  log.info('Loading ACME account details');
  const accountFile = loadAccount(deps.paths, req.accountName);
  const interrupt = interruptible(ctx);
  let acme: AcmeService | undefined;
  const session = new ChallengeSession(log, { ctx, paths: deps.paths, sleep: interrupt.sleep });
  try {
    acme = await openAcme(ctx, { directoryUrl: accountFile.directory, version: VERSION });
    const account = acme.account(accountFile.key, accountFile.location);

    const directory = await acme.getDirectory();
    if (req.profile !== undefined) {
      const offered = Object.keys(directory.meta?.profiles ?? {});
      if (!offered.includes(req.profile)) {
        throw new CliError(`unknown profile '${req.profile}' - ${offered.length ? `the CA offers: ${offered.join(', ')}` : 'the CA offers no profiles'}`);
      }
    }
    const replaces = directory.renewalInfo && req.replaces && req.replaces.directory === accountFile.directory ? req.replaces.certId : undefined;

    log.info('Placing ACME order');
    const identifiers = orderIdentifiers(req.domains);
    const profile = req.profile === undefined ? {} : { profile: req.profile };
    let order: AcmeResource<AcmeOrder>;
    try {
      order = await account.newOrder({ identifiers, ...profile, ...(replaces ? { replaces } : {}) });
    } catch (err) {
      if (!replaces || !refusedReplaces(err)) throw err;
      log.info(`The CA refused to mark the order as replacing the installed certificate (${(err as Error).message}) - ordering without 'replaces'`);
      order = await account.newOrder({ identifiers, ...profile });
    }
    const orderUrl = order.url;
    log.info(`Order URL: ${orderUrl}\n`);
    interrupt.check();

    const authzs = await Promise.all(order.data.authorizations.map((url) => account.fetch<AcmeAuthorization>(url)));
    const tasks: (ChallengeTask & { challengeUrl: string; authzUrl: string })[] = [];
    for (const authz of authzs) {
      const name = authzName(authz.data);
      log.info(`Getting authorization details from '${authz.url}'`);
      if (authz.data.status === 'valid') {
        log.info(`${name} is already validated!`);
        continue;
      }
      if (authz.data.status !== 'pending') throw new CliError(`authorization for '${name}' is ${authz.data.status} - place a new order`);
      const domain = names.get(name);
      if (!domain) throw new CliError(`no config for domain '${name}'`);
      const plugin = findPlugin(req.plugins, domain.plugin);
      if (!plugin) throw new CliError(`plugin '${domain.plugin}' for domain '${name}' not found!`);
      const type = CHALLENGE_TYPE[plugin.type];
      const challenge = authz.data.challenges.find((c) => c.type === type);
      if (!type || !challenge) {
        throw new PluginError(`plugin '${plugin.id}' (${plugin.type}) for domain '${name}' does not support any of the challenge types the CA offers (${authz.data.challenges.map((c) => c.type).join(', ')})`, plugin.id);
      }
      log.info(`The validation for ${name} is pending!`);
      tasks.push({ name, domain, plugin, type, token: challenge.token, keyAuthorization: await account.keyAuthorization(challenge), challengeUrl: challenge.url, authzUrl: authz.url });
    }

    if (tasks.length > 0) {
      // every setup runs to its end before an error counts: cleanup must not race a setup still running
      const setups = await Promise.allSettled(tasks.map((task) => session.present(task)));
      const failed = setups.find((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed) throw failed.reason;
      interrupt.check();
      log.info('Triggering validation');
      await Promise.all(tasks.map((task) => account.respondToChallenge(task.challengeUrl)));
      order = await pollOrder(account, orderUrl, ['pending'], 'the CA to validate ' + describeNames(tasks.map((t) => t.name)), VALIDATION_TIMEOUT_MS, FIRST_VALIDATION_POLL_MS, interrupt.sleep, ctx);
      if (order.data.status === 'invalid') throw await validationError(account, tasks, order.data);
      for (const task of tasks) log.info(`Status is 'valid', domain '${task.name}' OK!`);
    }
    await session.cleanup();
    log.info('All domains validated!\n');

    log.info('Creating CSR');
    const key = generatePrivateKey(req.keyType);
    // the configured order of names: the first one is the subject CN, as the user expects
    const csr = await createCsr(orderIdentifiers(req.domains).map((i) => i.value), key);
    log.info('Checking order status');
    if (order.data.status === 'pending') {
      order = await pollOrder(account, orderUrl, ['pending'], 'the order to become ready', VALIDATION_TIMEOUT_MS, 0, interrupt.sleep, ctx);
    }
    if (order.data.status === 'ready') {
      log.info('Order is ready, finalizing order');
      order = await account.finalize(order.data.finalize, csr);
    }
    if (order.data.status === 'processing') {
      order = await pollOrder(account, orderUrl, ['processing'], 'the CA to issue the certificate', ISSUANCE_TIMEOUT_MS, order.retryAfterMs ?? FIRST_ISSUANCE_POLL_MS, interrupt.sleep, ctx);
    }
    if (order.data.status !== 'valid' || !order.data.certificate) {
      throw new CliError(`order status: ${order.data.status}${problemText(order.data.error) ? ` - ${problemText(order.data.error)}` : ''}`);
    }
    log.info('valid!\n');

    log.info('Downloading certificate');
    const chain = await selectChain(account, order.data.certificate, req.preferredChain, log);
    return { chain, key, orderUrl, requests: acme.requestCount(), directory: accountFile.directory, renewalInfo: directory.renewalInfo };
  } finally {
    await session.cleanup();
    interrupt.release();
  }
}

function describeNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** Poll the order while its status is one of `waiting`, short intervals first, honouring Retry-After. */
async function pollOrder(
  account: AcmeAccount,
  url: string,
  waiting: readonly AcmeOrder['status'][],
  what: string,
  timeoutMs: number,
  initialDelayMs: number,
  sleep: (ms: number) => Promise<void>,
  ctx: Context,
): Promise<AcmeResource<AcmeOrder>> {
  return waitFor({ what, timeoutMs, initialDelayMs: Math.min(initialDelayMs, MAX_RETRY_AFTER_MS), maxRetryAfterMs: MAX_RETRY_AFTER_MS, sleep, now: () => ctx.now().getTime() }, async (): Promise<Poll<AcmeResource<AcmeOrder>>> => {
    const order = await account.fetch<AcmeOrder>(url);
    if (waiting.includes(order.data.status)) return { done: false, status: order.data.status, ...(order.retryAfterMs === undefined ? {} : { retryAfterMs: order.retryAfterMs }) };
    return { done: true, value: order };
  });
}

/** The order went invalid: find the authorization that failed and say what the CA said about it. */
async function validationError(account: AcmeAccount, tasks: readonly (ChallengeTask & { authzUrl: string })[], order: AcmeOrder): Promise<CliError> {
  for (const task of tasks) {
    const authz = await account.fetch<AcmeAuthorization>(task.authzUrl).catch(() => undefined);
    if (!authz || authz.data.status === 'valid' || authz.data.status === 'pending') continue;
    const challenge = authz.data.challenges.find((c) => c.type === task.type);
    const detail = problemText(challenge?.error) ?? problemText(order.error);
    return new CliError(`validating challenge '${task.authzUrl}' failed - status: ${authz.data.status}${detail ? ` - ${detail}` : ''}`);
  }
  return new CliError(`order is invalid${problemText(order.error) ? ` - ${problemText(order.error)}` : ''}`);
}

/** The issuer CN of the topmost certificate of a PEM chain (the root it leads to). */
export function topIssuerCommonName(chainPem: string): string | undefined {
  const blocks = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const top = blocks.at(-1);
  if (!top) return undefined;
  const issuer = new X509Certificate(top).issuer;
  return /^CN=(.*)$/m.exec(issuer)?.[1];
}

/**
 * Download the certificate; with a preferred chain, take the first of the default and the
 * alternate chains whose topmost issuer has that common name (else the default, with a note).
 */
async function selectChain(account: AcmeAccount, url: string, preferred: string | undefined, log: TaskLog): Promise<string> {
  const { chain, alternates } = await account.downloadCertificate(url);
  if (preferred === undefined || topIssuerCommonName(chain) === preferred) return chain;
  const offered = [topIssuerCommonName(chain)];
  for (const alternate of alternates) {
    const alt = await account.downloadCertificate(alternate);
    const issuer = topIssuerCommonName(alt.chain);
    if (issuer === preferred) {
      log.info(`Using the alternate chain to '${preferred}'`);
      return alt.chain;
    }
    offered.push(issuer);
  }
  log.warn(`Preferred chain '${preferred}' is not offered by the CA (chains to: ${offered.map((o) => `'${o ?? '?'}'`).join(', ')}); using the default chain`);
  return chain;
}

// The order engine (RFC 8555 §7.4): newOrder with every configured name, all authorizations
// worked in parallel, the order polled (honouring Retry-After) until ready, finalize, download.
// Task-log lines follow pvenode's wording (reference §3.2).

import { X509Certificate } from 'node:crypto';
import type { Context } from '../../context.ts';
import { VERSION } from '../../version.ts';
import { NO_DOMAINS } from './hints.ts';
import { isPersistOnly, type ConfiguredDomain } from '../config/node.ts';
import { findPlugin } from '../config/plugins.ts';
import type { PluginSection, PluginsConfig } from '../config/plugins-cfg.ts';
import { createCsr } from '../cert/csr.ts';
import { generatePrivateKeyAsync } from '../cert/key-material.ts';
import type { KeyType } from '../cert/keys.ts';
import { dnsRecordName, persistValue } from '../challenge/dns-methods.ts';
import { PROGRESS_EVERY_MS, type DnsRecordOptions } from '../challenge/dns-record.ts';
import { ChallengeSession, type ChallengeTask } from '../challenge/session.ts';
import { pluginChallengeType } from '../challenge/tls-alpn.ts';
import { AcmeProblemError, CliError, PluginError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { interruptible } from '../interrupt.ts';
import { DEFAULT_INTERVALS_MS, waitFor, type Poll, type WaitOptions } from '../wait.ts';
import { settledAccount } from './rollover.ts';
import { openAcme, type AcmeAccount, type AcmeAuthorization, type AcmeChallenge, type AcmeOrder, type AcmeProblem, type AcmeResource, type AcmeService } from './client.ts';

/** Upper bounds of the waits (each reports what it waited for when it gives up). */
export const VALIDATION_TIMEOUT_MS = 10 * 60_000;
export const ISSUANCE_TIMEOUT_MS = 10 * 60_000;
const MAX_RETRY_AFTER_MS = 30_000;
/**
 * Looks at the order after triggering validation: an early first look (a CA on a short path,
 * Pebble, validates in a few ms), then backing off, so a CA that validates within a second costs
 * at most three looks (at 100, 400 and 1000 ms): 2N+8 requests an order, the directory aside
 * (nonce, newOrder, N authorizations, N challenges, 3 looks, finalize, 1 look, download).
 * Later looks every 2 s (Let's Encrypt's dns-01 can take tens of seconds).
 * When every name is validated through a standalone http-01 listener, the first look comes as
 * soon as the CA has fetched every token and then nothing for SERVED_QUIET_MS, if that is
 * earlier than 100 ms (or moves the next look up, once); the later looks keep their times.
 */
export const VALIDATION_POLL_MS = { first: 100, intervals: [300, 600, 1000, 2000] } as const;
/**
 * How long the standalone listener must have been asked for nothing, once every token was
 * fetched, before the early look: a CA's vantage points fetch a token moments apart (Pebble's
 * three within ~2 ms on loopback), and a look before the last one's result finds the order
 * still pending and costs the wait until the next look.
 */
export const SERVED_QUIET_MS = 10;
/**
 * Looks after finalizing (unless the CA's Retry-After says otherwise): CAs sign in a few ms. When
 * validation took at most two looks, a first one at `early` ms and the next at `first`; else the
 * first at `first`: either way a CA that issues within 100 ms stays within 2N+8 requests.
 */
export const ISSUANCE_POLL_MS = { early: 10, first: 100 } as const;

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
   * The ARI CertID of the certificate this order replaces, the directory that certificate came
   * from and its names: sent as `replaces` only to that same CA, only when it offers ARI, and only
   * when the order keeps at least one of those names (a CA refuses a replacement sharing none).
   */
  replaces?: { certId: string; directory: string; identifiers: readonly string[] } | undefined;
  /** Stop once the CA has validated every name: no finalize, no certificate (--dry-run). */
  dryRun?: boolean;
}

/** What a dry run ends with: every name validated, the order left unfinalized. */
export interface DryRunResult {
  dryRun: true;
  names: string[];
  orderUrl: string;
  requests: number;
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

const RATE_LIMITED = 'urn:ietf:params:acme:error:rateLimited';

/**
 * A newOrder carrying `replaces` was refused: worth one retry without it. CAs refuse `replaces`
 * in many ways (alreadyReplaced; unauthorized for another account's certificate; Pebble even
 * with serverInternal for one sharing no name), so any refusal counts but a rate limit, which
 * the retry would only hit again.
 */
function refusedReplaces(err: unknown): boolean {
  return err instanceof AcmeProblemError && err.type !== RATE_LIMITED;
}

/** `replaces` for this order: only to the CA of the old certificate, offering ARI, with a name in common. */
function replacesFor(req: OrderRequest, directoryUrl: string, offersAri: boolean): string | undefined {
  const old = req.replaces;
  if (!offersAri || !old || old.directory !== directoryUrl) return undefined;
  const names = new Set(old.identifiers.map((n) => n.toLowerCase()));
  return req.domains.some((d) => names.has(d.domain.toLowerCase())) ? old.certId : undefined;
}

export interface OrderDeps {
  ctx: Context;
  paths: Paths;
  log: TaskLog;
  /** Where DNS scripts run (tests); default: see DnsRecordOptions. */
  sandbox?: DnsRecordOptions['sandbox'];
}

/** A configured name as the CA's authorization names it (`*.` + value for wildcards). */
function authzName(authz: AcmeAuthorization): string {
  return `${authz.wildcard ? '*.' : ''}${authz.identifier.value}`.toLowerCase();
}

export function orderIdentifiers(domains: readonly ConfiguredDomain[]): { type: 'dns' | 'ip'; value: string }[] {
  return domains.map((d) => ({ type: d.kind === 'ip' ? 'ip' : 'dns', value: d.domain.toLowerCase() }));
}

function problemText(problem: AcmeProblem | undefined): string | undefined {
  if (!problem) return undefined;
  const subs = (problem.subproblems ?? []).map((s) => [s.identifier?.value, s.detail].filter(Boolean).join(': ')).filter(Boolean);
  const text = [problem.detail, ...subs].filter(Boolean).join('; ');
  return text === '' ? problem.type : text;
}

/** Each configured name with its plugin; a missing plugin fails here, before the CA is asked. */
function pluginUses(req: OrderRequest): { name: string; plugin: PluginSection; persistOnly: boolean }[] {
  return req.domains.map((d) => {
    const plugin = findPlugin(req.plugins, d.plugin);
    if (!plugin) throw new CliError(`plugin '${d.plugin}' for domain '${d.domain}' not found! (see 'certnode acme plugin list')`);
    return { name: d.domain.toLowerCase(), plugin, persistOnly: isPersistOnly(d) };
  });
}

/**
 * The challenge of an authorization a name is validated with: its dns plugin's methods by
 * preference (default dns-01), else the plugin type's. Fails — before any record is touched —
 * when the CA offers none of them.
 */
function chooseChallenge(authz: AcmeAuthorization, name: string, domain: ConfiguredDomain, plugin: PluginSection): AcmeChallenge {
  const offered = [...new Set(authz.challenges.map((c) => c.type))].sort();
  const wanted: string[] = domain.challenges ?? [pluginChallengeType(plugin) ?? plugin.type];
  const challenge = wanted.map((type) => authz.challenges.find((c) => c.type === type)).find((c) => c !== undefined);
  if (challenge) return challenge;
  if (domain.challenges) {
    throw new PluginError(
      `domain '${name}': the CA does not offer ${wanted.join(' or ')} for it (it offers: ${offered.join(', ')}) - nothing was changed; choose one of those with 'challenge=' in ${domain.source}`,
      plugin.id,
    );
  }
  throw new PluginError(`plugin '${plugin.id}' (${plugin.type}) for domain '${name}' does not support any of the challenge types the CA offers (${offered.join(', ')})`, plugin.id);
}

export async function orderCertificate(deps: OrderDeps, req: OrderRequest & { dryRun: true }): Promise<DryRunResult>;
export async function orderCertificate(deps: OrderDeps, req: OrderRequest & { dryRun?: false }): Promise<OrderResult>;
export async function orderCertificate(deps: OrderDeps, req: OrderRequest): Promise<OrderResult | DryRunResult> {
  const { ctx, log } = deps;
  const names = new Map(req.domains.map((d) => [d.domain.toLowerCase(), d]));
  if (names.size === 0) throw new CliError(NO_DOMAINS);

  log.info('Loading ACME account details');
  const uses = pluginUses(req);
  const accountFile = await settledAccount(ctx, deps.paths, req.accountName, log);
  let session: ChallengeSession | undefined;
  const interrupt = interruptible(ctx, () => {
    // a second interrupt: the process ends right after this; kill the scripts, say what is left
    const left = session?.abandon() ?? [];
    if (left.length) log.warn(`Interrupted again: not removed: ${left.join(', ')}`);
  });
  const reportRetryAfter = retryAfterReporter(log);
  /** How an order is polled: the interruptible sleep, the clock, Retry-After reported; looks counted. */
  const looks = { count: 0 };
  const pollOrder = (account: AcmeAccount, url: string, poll: PollRequest): Promise<AcmeResource<AcmeOrder>> =>
    pollOrderUntil(account, url, { ...poll, sleep: interrupt.sleep, now: () => ctx.now().getTime(), onRetryAfter: reportRetryAfter, looks });
  let served: Promise<void> | undefined;
  let acme: AcmeService | undefined;
  session = new ChallengeSession(log, { ctx, paths: deps.paths, sleep: interrupt.sleep, signal: interrupt.signal, teardownSignal: interrupt.teardownSignal, ...(deps.sandbox ? { sandbox: deps.sandbox } : {}) });
  try {
    // everything that can fail without the CA fails before an order is placed
    await session.prepare(uses);
    interrupt.check();
    acme = await openAcme(ctx, { directoryUrl: accountFile.directory, version: VERSION });
    const account = acme.account(accountFile.key, accountFile.location);

    const directory = await acme.getDirectory();
    if (req.profile !== undefined) {
      const offered = Object.keys(directory.meta?.profiles ?? {});
      if (!offered.includes(req.profile)) {
        throw new CliError(`unknown profile '${req.profile}' - ${offered.length ? `the CA offers: ${offered.join(', ')}` : 'the CA offers no profiles'}`);
      }
    }
    const replaces = replacesFor(req, accountFile.directory, directory.renewalInfo !== undefined);

    log.info('Placing ACME order');
    const identifiers = orderIdentifiers(req.domains);
    const profile = req.profile === undefined ? {} : { profile: req.profile };
    let order: AcmeResource<AcmeOrder>;
    try {
      order = await account.newOrder({ identifiers, ...profile, ...(replaces ? { replaces } : {}) });
    } catch (err) {
      if (!replaces || !refusedReplaces(err)) throw err;
      log.info(`The CA refused the order as a replacement of the installed certificate (${(err as Error).message}) - ordering without 'replaces'`);
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
      const plugin = uses.find((u) => u.name === name)!.plugin;
      const challenge = chooseChallenge(authz.data, name, domain, plugin);
      const type = challenge.type as ChallengeTask['type'];
      log.info(`The validation for ${name} is pending!`);
      const target = domain.alias ?? name;
      let method: Partial<ChallengeTask> & { keyAuthorization: string };
      if (type === 'dns-persist-01') {
        const persist = { issuers: challenge['issuer-domain-names'] ?? directory.meta?.caaIdentities ?? [], accountUri: challenge.accounturi ?? accountFile.location };
        const keyAuthorization = persistValue({ issuer: persist.issuers[0] ?? '?', accountUri: persist.accountUri, wildcard: name.startsWith('*.') });
        method = { keyAuthorization, recordName: dnsRecordName(type, target, persist.accountUri), persist };
      } else if (type === 'dns-account-01') {
        // the TXT value is dns-01's; only the name differs
        method = { keyAuthorization: await account.keyAuthorization({ type: 'dns-01', token: challenge.token }), recordName: dnsRecordName(type, target, accountFile.location) };
      } else {
        method = { keyAuthorization: await account.keyAuthorization(challenge) };
      }
      tasks.push({ name, domain, plugin, type, token: challenge.token, ...method, challengeUrl: challenge.url, authzUrl: authz.url });
    }

    // the certificate key and CSR are made while the challenges are set up and the CA validates
    // (off the main thread: an rsa-4096 key takes a while)
    const keyAndCsr = generatePrivateKeyAsync(req.keyType).then((key) => ({
      key,
      // the configured order of names: the first one is the subject CN, as the user expects
      csr: createCsr(orderIdentifiers(req.domains), key),
    }));
    keyAndCsr.catch(() => undefined); // awaited below; an order failing earlier must not leave it unhandled

    if (tasks.length > 0) {
      // DNS scripts one call at a time in the configured order, then all propagation checks together
      await session.presentAll(tasks, [...names.keys()]);
      interrupt.check();
      log.info('Triggering validation');
      // listening before the CA is told: it may fetch a token before the answer to its POST arrives
      served = session.served(tasks, SERVED_QUIET_MS);
      await Promise.all(tasks.map((task) => account.respondToChallenge(task.challengeUrl)));
      const what = 'the CA to validate ' + describeNames(tasks.map((t) => t.name));
      order = await pollOrder(account, orderUrl, {
        waiting: ['pending'],
        what,
        timeoutMs: VALIDATION_TIMEOUT_MS,
        initialDelayMs: VALIDATION_POLL_MS.first,
        intervalsMs: VALIDATION_POLL_MS.intervals,
        wake: served,
        onProgress: (elapsedMs, status) => log.info(`Waiting for ${what} (status: ${status}) - ${Math.round(elapsedMs / 1000)} s of ${VALIDATION_TIMEOUT_MS / 1000} s`),
      });
      if (order.data.status === 'invalid') throw await validationError(account, tasks, order.data, session);
      for (const task of tasks) log.info(`Status is 'valid', domain '${task.name}' OK!`);
    }
    // the records go while the CA finalizes (one script call at a time takes a while); the
    // finally below waits for them whatever happens
    const teardown = session.cleanup();
    log.info('All domains validated!\n');
    // --dry-run ends here (the records still go, as always): nothing finalized, issued or installed
    if (req.dryRun) {
      await teardown;
      return { dryRun: true, names: [...names.keys()], orderUrl, requests: acme.requestCount() };
    }

    log.info('Creating CSR');
    const { key, csr } = await keyAndCsr;
    log.info('Checking order status');
    if (order.data.status === 'pending') {
      order = await pollOrder(account, orderUrl, { waiting: ['pending'], what: 'the order to become ready', timeoutMs: VALIDATION_TIMEOUT_MS, initialDelayMs: 0 });
    }
    if (order.data.status === 'ready') {
      log.info('Order is ready, finalizing order');
      order = await account.finalize(order.data.finalize, csr);
    }
    if (order.data.status === 'processing') {
      // the finalize answer's Retry-After sets the first look (reported, bounded); none: a short one
      if (order.retryAfterMs !== undefined) reportRetryAfter(order.retryAfterMs, Math.min(order.retryAfterMs, MAX_RETRY_AFTER_MS));
      // validation took at most two looks: a spare one for an early look (the bound stays 2N+8)
      const early = order.retryAfterMs === undefined && looks.count <= 2;
      order = await pollOrder(account, orderUrl, {
        waiting: ['processing'],
        what: 'the CA to issue the certificate',
        timeoutMs: ISSUANCE_TIMEOUT_MS,
        initialDelayMs: order.retryAfterMs ?? (early ? ISSUANCE_POLL_MS.early : ISSUANCE_POLL_MS.first),
        ...(early ? { intervalsMs: [ISSUANCE_POLL_MS.first - ISSUANCE_POLL_MS.early, ...DEFAULT_INTERVALS_MS] } : {}),
      });
    }
    if (order.data.status !== 'valid' || !order.data.certificate) {
      throw new CliError(`order status: ${order.data.status}${problemText(order.data.error) ? ` - ${problemText(order.data.error)}` : ''}`);
    }
    log.info('valid!\n');

    log.info('Downloading certificate');
    const chain = await selectChain(account, order.data.certificate, req.preferredChain, log);
    await teardown;
    return { chain, key, orderUrl, requests: acme.requestCount(), directory: accountFile.directory, renewalInfo: directory.renewalInfo };
  } finally {
    await session.cleanup();
    interrupt.release();
  }
}



function describeNames(names: readonly string[]): string {
  return names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/**
 * Says in the task log what a CA's Retry-After costs (once per distinct request): honoured up to
 * MAX_RETRY_AFTER_MS at a time, every wait still bounded by its phase's timeout.
 */
export function retryAfterReporter(log: TaskLog): (requestedMs: number, waitMs: number) => void {
  let last: number | undefined;
  return (requestedMs, waitMs) => {
    const asked = Math.ceil(requestedMs / 1000);
    // an HTTP-date Retry-After comes back a second shorter now and then: the same request
    if (last !== undefined && Math.abs(asked - last) <= 1) return;
    last = asked;
    const waiting = Math.ceil(waitMs / 1000);
    log.info(`The CA asks to wait ${asked} s before looking again (Retry-After)${waiting < asked ? ` - waiting ${waiting} s, the most certnode waits at once` : ''}`);
  };
}

interface PollRequest {
  /** Statuses to go on waiting in. */
  waiting: readonly AcmeOrder['status'][];
  what: string;
  timeoutMs: number;
  initialDelayMs: number;
  intervalsMs?: readonly number[];
  wake?: Promise<unknown> | undefined;
  onProgress?: (elapsedMs: number, status: string) => void;
}

/** Poll the order while its status is one of `waiting`, short intervals first, honouring Retry-After. */
function pollOrderUntil(
  account: AcmeAccount,
  url: string,
  req: PollRequest & Pick<WaitOptions, 'sleep' | 'now'> & { onRetryAfter: (requestedMs: number, waitMs: number) => void; looks: { count: number } },
): Promise<AcmeResource<AcmeOrder>> {
  const progress = req.onProgress ? { onProgress: req.onProgress, progressEveryMs: PROGRESS_EVERY_MS } : {};
  const options: WaitOptions = {
    what: req.what,
    timeoutMs: req.timeoutMs,
    initialDelayMs: Math.min(req.initialDelayMs, MAX_RETRY_AFTER_MS),
    ...(req.intervalsMs ? { intervalsMs: req.intervalsMs } : {}),
    ...(req.wake ? { wake: req.wake } : {}),
    maxRetryAfterMs: MAX_RETRY_AFTER_MS,
    sleep: req.sleep,
    now: req.now,
    onRetryAfter: req.onRetryAfter,
    ...progress,
  };
  return waitFor(options, async (): Promise<Poll<AcmeResource<AcmeOrder>>> => {
    req.looks.count++;
    const order = await account.fetch<AcmeOrder>(url);
    if (req.waiting.includes(order.data.status)) return { done: false, status: order.data.status, ...(order.retryAfterMs === undefined ? {} : { retryAfterMs: order.retryAfterMs }) };
    return { done: true, value: order };
  });
}

/**
 * The order went invalid: for each failed authorization, the domain, the challenge type, what the
 * CA said, and a hint at the usual cause (http-01: reachability; dns-01: what our check saw).
 */
async function validationError(account: AcmeAccount, tasks: readonly (ChallengeTask & { authzUrl: string })[], order: AcmeOrder, session: ChallengeSession): Promise<CliError> {
  const failures: string[] = [];
  for (const task of tasks) {
    const authz = await account.fetch<AcmeAuthorization>(task.authzUrl).catch(() => undefined);
    if (!authz || authz.data.status === 'valid' || authz.data.status === 'pending') continue;
    const challenge = authz.data.challenges.find((c) => c.type === task.type);
    const detail = problemText(challenge?.error) ?? problemText(order.error) ?? `authorization ${authz.data.status}`;
    failures.push(`domain '${task.name}' (${task.type}): validation failed - ${detail} - ${validationHint(task, session)}`);
  }
  if (failures.length === 0) return new CliError(`order is invalid${problemText(order.error) ? ` - ${problemText(order.error)}` : ''}`);
  return new CliError(failures.join('\n'));
}

function validationHint(task: ChallengeTask, session: ChallengeSession): string {
  if (task.type === 'http-01') {
    const name = task.name;
    return `hint: the CA must reach http://${name}/.well-known/acme-challenge/ on this host: check that ${name} resolves (A/AAAA) to this host from the internet and that port 80 is open and forwarded to the standalone listener (${session.listenerOf(task.plugin)})`;
  }
  const seen = session.propagationOf(task);
  const record = `_acme-challenge.${(task.domain.alias ?? task.name).replace(/^\*\./, '')}`;
  return `hint: ${seen ? seen.summary : 'no propagation check ran'}; the CA asks the public name servers of the zone for ${record} TXT - check that the zone is delegated to them (no split horizon), or raise the plugin's validation-delay`;
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

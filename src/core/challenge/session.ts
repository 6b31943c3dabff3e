// The challenges of one order: set up by each name's plugin, always torn down afterwards.
// Standalone plugins share one http-01 listener per (address, port), bound before the order is
// placed. DNS plugins run their dns_<api>.sh script ONE CALL AT A TIME (many provider APIs
// read, modify and write back a whole record set), in the order of the configured names; then
// the records' propagation is checked concurrently; teardown runs one call at a time too.

import type { Context } from '../../context.ts';
import type { ConfiguredDomain, DnsChallenge } from '../config/node.ts';
import { DEFAULT_STANDALONE_PORT } from '../config/plugins.ts';
import type { PluginSection } from '../config/plugins-cfg.ts';
import { CancelledError, PluginError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { checkPropagation, DnsRecord, resolveDnsPlugin, validationDelay, type DnsRecordOptions, type PropagationOutcome } from './dns-record.ts';
import { persistValueAuthorizes } from './dns-methods.ts';
import { DNS_RESOLVERS_ENV, parseResolverList } from './propagation.ts';

/** How long a dns-persist-01 name without a dns plugin waits for its record to be visible. */
const PERSIST_CHECK_SECONDS = 30;
import { StandaloneResponder } from './standalone.ts';
import { pluginChallengeType, TlsAlpnListeners } from './tls-alpn.ts';

export { DNS_SCRIPT_TIMEOUT_ENV, PROPAGATION_KEY } from './dns-record.ts';

export interface ChallengeTask {
  /** The authorization's name as configured (`*.example.com` for a wildcard). */
  name: string;
  domain: ConfiguredDomain;
  plugin: PluginSection;
  type: 'http-01' | 'tls-alpn-01' | DnsChallenge;
  token: string;
  /** http-01, tls-alpn-01: the key authorization; dns-01, dns-account-01: the TXT value; dns-persist-01: the value to publish. */
  keyAuthorization: string;
  /** dns-account-01, dns-persist-01: the full record name (see dns-methods.ts). */
  recordName?: string;
  /** dns-persist-01: what a published record must say to authorize this order. */
  persist?: { issuers: readonly string[]; accountUri: string };
}

export interface SessionOptions extends Pick<DnsRecordOptions, 'sandbox' | 'dnsLookup'> {
  ctx: Context;
  paths: Paths;
  /** Interruptible sleep (ends with CancelledError on SIGINT/SIGTERM/SIGHUP). */
  sleep: (ms: number) => Promise<void>;
  /** Aborted on the first interrupt: a running script is killed at once. */
  signal: AbortSignal;
  /** Aborted on a second interrupt: teardown stops waiting for scripts. */
  teardownSignal: AbortSignal;
}

/** Whether a plugin section has `disable` set (bare, 1, yes, true, on). */
export function pluginDisabled(plugin: PluginSection): boolean {
  const value = plugin.props.get('disable');
  return value !== undefined && !/^(0|no|false|off)$/i.test(value.trim());
}

function listenerKey(plugin: PluginSection): string {
  return `${plugin.props.get('address') ?? '*'}|${plugin.props.get('port') ?? DEFAULT_STANDALONE_PORT}`;
}

export class ChallengeSession {
  readonly #log: TaskLog;
  readonly #opts: SessionOptions;
  readonly #responders = new Map<string, Promise<StandaloneResponder>>();
  readonly #tokens: { key: string; token: string }[] = [];
  /** In the order their add started: every one is removed, also when its add failed half-way. */
  readonly #records: DnsRecord[] = [];
  readonly #propagation = new Map<ChallengeTask, PropagationOutcome>();
  readonly #tlsAlpn: TlsAlpnListeners;

  constructor(log: TaskLog, opts: SessionOptions) {
    this.#log = log;
    this.#opts = opts;
    this.#tlsAlpn = new TlsAlpnListeners((line) => log.info(line));
  }

  /**
   * Everything that can fail without the CA, before an order is placed: plugins exist and are
   * enabled, each DNS plugin's script and settings are usable, and the standalone listeners are
   * bound (a busy port fails here, not after the CA has created authorizations).
   */
  async prepare(uses: readonly { name: string; plugin: PluginSection; persistOnly?: boolean }[]): Promise<void> {
    for (const { name, plugin, persistOnly } of uses) {
      if (persistOnly) continue;
      if (pluginDisabled(plugin)) {
        throw new PluginError(`plugin '${plugin.id}' (for domain '${name}') is disabled ('disable' is set in plugins.cfg) - enable it with 'certnode acme plugin set ${plugin.id} --disable 0', or choose another plugin`, plugin.id);
      }
      if (plugin.type === 'dns') resolveDnsPlugin(plugin, name, this.#opts);
    }
    for (const { plugin, persistOnly } of uses) {
      if (plugin.type !== 'standalone' || persistOnly) continue;
      if (pluginChallengeType(plugin) === 'tls-alpn-01') await this.#tlsAlpn.bind(plugin);
      else await this.#responder(plugin);
    }
  }

  #responder(plugin: PluginSection): Promise<StandaloneResponder> {
    const key = listenerKey(plugin);
    let responder = this.#responders.get(key);
    if (!responder) {
      const portValue = plugin.props.get('port');
      const port = portValue === undefined ? DEFAULT_STANDALONE_PORT : Number(portValue);
      const address = plugin.props.get('address');
      this.#log.info(`Setting up webserver on ${address === undefined ? 'port' : `${address.includes(':') ? `[${address}]` : address}:`}${address === undefined ? ` ${port}` : port}`);
      responder = StandaloneResponder.start({ pluginId: plugin.id, port, address });
      // a failed bind is reported by whoever awaits it; no unhandled rejection meanwhile
      responder.catch(() => undefined);
      this.#responders.set(key, responder);
    }
    return responder;
  }

  /**
   * Set up every challenge: http-01 tokens go to their listener; DNS records are added one
   * script call at a time in `order` (the configured names), then all are checked concurrently.
   */
  async presentAll(tasks: readonly ChallengeTask[], order: readonly string[]): Promise<void> {
    const rank = (t: ChallengeTask): number => {
      const i = order.indexOf(t.name);
      return i === -1 ? order.length : i;
    };
    for (const task of tasks.filter((t) => t.type === 'http-01')) {
      (await this.#responder(task.plugin)).add(task.token, task.keyAuthorization);
      this.#tokens.push({ key: listenerKey(task.plugin), token: task.token });
    }
    for (const task of tasks.filter((t) => t.type === 'tls-alpn-01')) await this.#tlsAlpn.present(task.plugin, task.name, task.keyAuthorization);
    const dns = tasks.filter((t) => t.type === 'dns-01' || t.type === 'dns-account-01').sort((a, b) => rank(a) - rank(b));
    const added: { task: ChallengeTask; record: DnsRecord }[] = [];
    for (const task of dns) {
      if (this.#opts.signal.aborted) throw new CancelledError(`interrupted by ${String(this.#opts.signal.reason)}`, String(this.#opts.signal.reason));
      const wildcard = task.domain.domain.startsWith('*.');
      const record = new DnsRecord(this.#log, this.#opts, { name: task.name, domain: task.domain, plugin: task.plugin, value: task.keyAuthorization, wildcard, ...(task.recordName ? { recordName: task.recordName } : {}) });
      // registered before it runs: a setup that fails or is killed half-way is torn down too
      this.#records.push(record);
      await record.add();
      added.push({ task, record });
    }
    // dns-persist-01 runs no script: the published record must already say the right thing
    const persisted = tasks.filter((t) => t.type === 'dns-persist-01');
    const [outcomes, persistOutcomes] = await Promise.all([Promise.all(added.map(({ record }) => record.waitVisible())), Promise.all(persisted.map((t) => this.#checkPersisted(t)))]);
    added.forEach(({ task }, i) => this.#propagation.set(task, outcomes[i]!));
    persisted.forEach((task, i) => this.#propagation.set(task, persistOutcomes[i]!));
  }

  /**
   * Settles once the CA has fetched every http-01 token of `tasks` from the standalone listeners
   * and then none for `quietMs` (a CA's vantage points fetch a token moments apart): when a look
   * at the order is likely to find it validated. Undefined when a task is validated some other
   * way (DNS, tls-alpn-01), which gives no such sign. Never rejects; cleanup() stops it.
   */
  served(tasks: readonly ChallengeTask[], quietMs: number): Promise<void> | undefined {
    if (tasks.length === 0 || tasks.some((t) => t.type !== 'http-01')) return undefined;
    const missing = new Set(tasks.map((t) => t.token));
    const keys = [...new Set(tasks.map((t) => listenerKey(t.plugin)))];
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const unsubscribe: (() => void)[] = [];
      const stop = (): void => {
        clearTimeout(timer);
        for (const u of unsubscribe.splice(0)) u();
        this.#stopServed.delete(stop);
      };
      const onServed = (token: string): void => {
        missing.delete(token);
        if (missing.size > 0) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          stop();
          resolve();
        }, quietMs);
        timer.unref();
      };
      this.#stopServed.add(stop);
      void Promise.all(keys.map((key) => this.#responders.get(key)?.catch(() => undefined))).then((responders) => {
        if (!this.#stopServed.has(stop)) return;
        for (const responder of responders) if (responder) unsubscribe.push(responder.onServed(onServed));
      });
    });
  }

  readonly #stopServed = new Set<() => void>();

  /** A dns-persist-01 name: its record must be visible and authorize this account (bounded wait). */
  async #checkPersisted(task: ChallengeTask): Promise<PropagationOutcome> {
    const persist = task.persist!;
    const wildcard = task.domain.domain.startsWith('*.');
    const recordName = task.recordName!;
    const resolvers = this.#opts.ctx.env[DNS_RESOLVERS_ENV];
    const outcome = await checkPropagation(this.#log, this.#opts, {
      recordName,
      forWhom: wildcard ? ` (for ${task.name})` : '',
      value: (txt) => persistValueAuthorizes(txt, { issuers: persist.issuers, accountUri: persist.accountUri, wildcard, now: this.#opts.ctx.now() }),
      delay: task.plugin.type === 'dns' ? validationDelay(task.plugin) : PERSIST_CHECK_SECONDS,
      resolvers: resolvers ? parseResolverList(resolvers) : undefined,
    });
    if (outcome.checked && !outcome.visible) {
      throw new PluginError(
        `domain '${task.name}' (dns-persist-01): no TXT record at ${recordName} authorizes this account (${outcome.summary}); publish ${recordName} TXT "${task.keyAuthorization}" - 'certnode acme cert persist-record --apply' does it through the domain's dns plugin`,
        task.plugin.id,
      );
    }
    return outcome;
  }

  /** What the propagation check saw for a dns-01 task (for the error of a failed validation). */
  propagationOf(task: ChallengeTask): PropagationOutcome | undefined {
    return this.#propagation.get(task);
  }

  /** The listener a standalone plugin answers on (for the error of a failed validation). */
  listenerOf(plugin: PluginSection): string {
    const port = plugin.props.get('port') ?? String(DEFAULT_STANDALONE_PORT);
    const address = plugin.props.get('address');
    return address === undefined ? `port ${port} on all addresses` : `${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  /**
   * Kill whatever a DNS script left and remove the sandboxes, synchronously: for a second
   * interrupt, right before the process exits. Returns the records whose removal never ran.
   */
  abandon(): string[] {
    const left = this.#records.filter((r) => !r.removed).map((r) => r.label);
    for (const record of this.#records) record.dispose();
    return left;
  }

  #cleanup: Promise<void> | undefined;

  /**
   * Tear everything down; failures are warnings (the order's own error, if any, is what
   * matters). May be started early and awaited again later: it runs once.
   */
  cleanup(): Promise<void> {
    this.#cleanup ??= this.#teardown().finally(() => {
      this.#cleanup = undefined;
    });
    return this.#cleanup;
  }

  async #teardown(): Promise<void> {
    for (const stop of [...this.#stopServed]) stop();
    for (const { key, token } of this.#tokens.splice(0)) (await this.#responders.get(key)?.catch(() => undefined))?.remove(token);
    const responders = [...this.#responders.values()];
    this.#responders.clear();
    const closing = Promise.all([
      this.#tlsAlpn.close(),
      ...responders.map(async (pending) => {
        const responder = await pending.catch(() => undefined);
        await responder?.close();
      }),
    ]);
    // one script call at a time, in the order the records were added
    for (const record of this.#records.splice(0)) {
      try {
        await record.remove();
      } catch (err) {
        this.#log.warn(`Failed to teardown plugin '${record.plugin.id}' for domain '${record.name}' - ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await closing;
  }
}

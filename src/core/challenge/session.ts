// The challenges of one order: set up by each name's plugin, always torn down afterwards.
// Standalone plugins share one http-01 listener per (address, port) for the whole order.
// DNS plugins run their dns_<api>.sh script per name (in parallel across names), then wait
// until the record is visible (propagation check, or Proxmox's fixed sleep), and remove
// exactly their own value again at cleanup.

import type { Context } from '../../context.ts';
import type { ConfiguredDomain } from '../config/node.ts';
import { DEFAULT_STANDALONE_PORT, DEFAULT_VALIDATION_DELAY } from '../config/plugins.ts';
import { decodePluginData, type PluginSection } from '../config/plugins-cfg.ts';
import { PluginError, UsageError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { DnsScriptChallenge, scriptUserFor, type ScriptUser } from './dns-script.ts';
import { dnsapiSearchDirs, findDnsApiScript } from './dnsapi-scripts.ts';
import { DNS_RESOLVERS_ENV, findAuthoritativeServers, parseResolverList, systemDnsLookup, waitForPropagation, type DnsLookup } from './propagation.ts';
import { StandaloneResponder } from './standalone.ts';
import { TlsAlpnListeners } from './tls-alpn.ts';

/** The ACME challenge type each plugin type answers. */
export const CHALLENGE_TYPE: Record<string, 'http-01' | 'dns-01'> = { standalone: 'http-01', dns: 'dns-01' };

/** Plugin property choosing how a dns plugin waits for its record: `check` (default) or `sleep` (Proxmox). */
export const PROPAGATION_KEY = 'propagation';
/** Env var: timeout of one DNS script call in seconds (default 300). */
export const DNS_SCRIPT_TIMEOUT_ENV = 'CERTNODE_DNS_SCRIPT_TIMEOUT';
/** Earlier stderr lines of a failed setup repeated in the error (the task log has them all). */
const STDERR_LINES_IN_ERROR = 5;

export interface ChallengeTask {
  /** The authorization's name as configured (`*.example.com` for a wildcard). */
  name: string;
  domain: ConfiguredDomain;
  plugin: PluginSection;
  type: 'http-01' | 'dns-01' | 'tls-alpn-01';
  token: string;
  /** http-01, tls-alpn-01: the key authorization; dns-01: the TXT value. */
  keyAuthorization: string;
}

export interface SessionOptions {
  ctx: Context;
  paths: Paths;
  /** Interruptible sleep (ends with CancelledError on SIGINT/SIGTERM). */
  sleep: (ms: number) => Promise<void>;
  /** Who runs DNS scripts; default nobody when root, else ourselves. */
  scriptUser?: () => ScriptUser | null;
  /** DNS lookups for the propagation check (tests). */
  dnsLookup?: DnsLookup;
}

interface DnsPresented {
  task: ChallengeTask;
  challenge: DnsScriptChallenge;
  /** The name PVE logs: _acme-challenge.<domain> (the original domain, also with an alias). */
  label: string;
}

export class ChallengeSession {
  readonly #log: TaskLog;
  readonly #opts: SessionOptions;
  readonly #responders = new Map<string, Promise<StandaloneResponder>>();
  readonly #presented: ChallengeTask[] = [];
  readonly #dns: DnsPresented[] = [];
  readonly #tlsAlpn: TlsAlpnListeners;
  #user: ScriptUser | null | undefined;

  constructor(log: TaskLog, opts: SessionOptions) {
    this.#log = log;
    this.#opts = opts;
    this.#tlsAlpn = new TlsAlpnListeners((line) => log.info(line));
  }

  async present(task: ChallengeTask): Promise<void> {
    if (task.type === 'tls-alpn-01') return this.#tlsAlpn.present(task.plugin, task.name, task.keyAuthorization);
    if (task.type === 'http-01') {
      const responder = await this.#responder(task.plugin);
      responder.add(task.token, task.keyAuthorization);
      this.#presented.push(task);
      return;
    }
    await this.#presentDns(task);
  }

  #responder(plugin: PluginSection): Promise<StandaloneResponder> {
    const portValue = plugin.props.get('port');
    const port = portValue === undefined ? DEFAULT_STANDALONE_PORT : Number(portValue);
    const address = plugin.props.get('address');
    const key = `${address ?? '*'}|${port}`;
    let responder = this.#responders.get(key);
    if (!responder) {
      this.#log.info(`Setting up webserver on ${address === undefined ? 'port' : `${address.includes(':') ? `[${address}]` : address}:`}${address === undefined ? ` ${port}` : port}`);
      responder = StandaloneResponder.start({ pluginId: plugin.id, port, address });
      this.#responders.set(key, responder);
    }
    return responder;
  }

  async #presentDns(task: ChallengeTask): Promise<void> {
    const { plugin } = task;
    const { ctx, paths } = this.#opts;
    const api = plugin.props.get('api');
    if (!api) throw new PluginError(`plugin '${plugin.id}' for domain '${task.name}': no DNS API configured (set one with 'certnode acme plugin set ${plugin.id} --api <api>')`, plugin.id);
    const script = findDnsApiScript(api, dnsapiSearchDirs(paths, ctx.env));
    if (!script) throw new PluginError(`plugin '${plugin.id}' for domain '${task.name}': DNS API script dns_${api}.sh not found (see 'certnode acme plugin apis')`, plugin.id);
    const stored = plugin.props.get('data');
    const data = stored === undefined ? '' : decodePluginData(stored);
    if (data === undefined) throw new PluginError(`plugin '${plugin.id}': its data is not valid base64url`, plugin.id);
    // bad settings fail before the script has changed anything
    const configured = ctx.env[DNS_RESOLVERS_ENV];
    const resolvers = configured ? parseResolverList(configured) : undefined;
    const timeoutSec = scriptTimeout(ctx.env);
    const bare = task.name.replace(/^\*\./, '');
    const label = `_acme-challenge.${bare}`;
    const alias = task.domain.alias;
    const challenge = new DnsScriptChallenge({
      pluginId: plugin.id,
      api,
      scriptPath: script,
      data,
      domain: alias ?? bare,
      txtValue: task.keyAuthorization,
      timeoutSec,
      onLine: (line) => this.#log.info(`    ${line}`),
      user: this.#scriptUser(),
      tmpRoot: ctx.env.TMPDIR || '/tmp',
    });
    // registered before it runs: a setup that fails or times out half-way is torn down too
    const presented: DnsPresented = { task, challenge, label };
    this.#dns.push(presented);
    try {
      await challenge.setup();
    } catch (err) {
      if (!(err instanceof PluginError)) throw err;
      // the runner names the last stderr line; the lines before it usually say what went wrong
      const earlier = (err.stderrTail ?? '').split('\n').filter((l) => l.trim() !== '').slice(0, -1).slice(-STDERR_LINES_IN_ERROR);
      const more = earlier.length ? `\nstderr:\n${earlier.map((l) => `    ${l}`).join('\n')}` : '';
      throw new PluginError(`domain '${task.name}': ${err.message}${more}`, err.pluginId, err.exitCode, err.stderrTail);
    }
    this.#log.info(`Add TXT record: ${label}${alias === undefined ? '' : ` (alias: ${challenge.recordName})`}`);
    await this.#waitForRecord(task, challenge.recordName, resolvers);
  }

  #scriptUser(): ScriptUser | null {
    if (this.#user === undefined) this.#user = (this.#opts.scriptUser ?? (() => scriptUserFor(process.getuid?.())))();
    return this.#user;
  }

  async #waitForRecord(task: ChallengeTask, recordName: string, resolvers: string[] | undefined): Promise<void> {
    const { plugin } = task;
    const { ctx, sleep } = this.#opts;
    const delayValue = plugin.props.get('validation-delay');
    const delay = delayValue === undefined || !/^\d+$/.test(delayValue) ? DEFAULT_VALIDATION_DELAY : Number(delayValue);
    const mode = plugin.props.get(PROPAGATION_KEY) ?? 'check';
    const fixedSleep = async (): Promise<void> => {
      if (delay <= 0) return;
      this.#log.info(`Sleeping ${delay} seconds to wait for TXT record propagation`);
      await sleep(delay * 1000);
    };
    if (mode === 'sleep') return fixedSleep();

    const lookup = this.#opts.dnsLookup ?? systemDnsLookup();
    let name = recordName;
    let servers: string[];
    let where: string;
    if (resolvers) {
      servers = resolvers;
      where = `${servers.join(', ')} (${DNS_RESOLVERS_ENV})`;
    } else {
      try {
        const found = await findAuthoritativeServers(recordName, lookup);
        name = found.name;
        servers = found.servers;
        where = `${found.nameServers.join(', ')} (zone ${found.zone}${name === recordName ? '' : `, via CNAME to ${name}`})`;
      } catch (err) {
        this.#log.warn(`cannot find the authoritative name servers of ${recordName}: ${(err as Error).message} - waiting instead`);
        return fixedSleep();
      }
    }
    this.#log.info(`Checking TXT record propagation of ${name} on ${where}, up to ${delay} s`);
    const result = await waitForPropagation({ lookup, servers, name, value: task.keyAuthorization, timeoutMs: delay * 1000, sleep, now: () => ctx.now().getTime() });
    if (result.visible) {
      this.#log.info(`TXT record for ${name} visible on all ${servers.length} name server${servers.length === 1 ? '' : 's'}`);
      return;
    }
    const missing = result.missing.map((m) => (m.error ? `${m.server} (${m.error})` : m.server)).join(', ');
    this.#log.warn(`TXT record for ${name} not visible on ${missing} after ${delay} s (plugin '${plugin.id}' validation-delay) - triggering validation anyway, the CA may still see it`);
  }

  /** Tear everything down; failures are warnings (the order's own error, if any, is what matters). */
  async cleanup(): Promise<void> {
    for (const task of this.#presented.splice(0)) {
      if (task.type !== 'http-01') continue;
      const key = `${task.plugin.props.get('address') ?? '*'}|${task.plugin.props.get('port') ?? DEFAULT_STANDALONE_PORT}`;
      (await this.#responders.get(key)?.catch(() => undefined))?.remove(task.token);
    }
    const responders = [...this.#responders.values()];
    this.#responders.clear();
    await Promise.all([
      this.#tlsAlpn.close(),
      ...responders.map(async (pending) => {
        const responder = await pending.catch(() => undefined);
        await responder?.close();
      }),
      ...this.#dns.splice(0).map(async ({ task, challenge, label }) => {
        try {
          await challenge.teardown();
          this.#log.info(`Remove TXT record: ${label}`);
        } catch (err) {
          this.#log.warn(`Failed to teardown plugin '${task.plugin.id}' for domain '${task.name}' - ${err instanceof Error ? err.message : String(err)}`);
        }
      }),
    ]);
  }
}

function scriptTimeout(env: Context['env']): number | undefined {
  const value = env[DNS_SCRIPT_TIMEOUT_ENV];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`value '${value}' is not a number of seconds (1 or more)`, DNS_SCRIPT_TIMEOUT_ENV);
  return Number(value);
}

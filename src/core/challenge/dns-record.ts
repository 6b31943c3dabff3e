// One DNS-01 TXT record through one dns plugin: add it with the plugin's dns_<api>.sh script,
// wait until the zone's authoritative servers serve it (or Proxmox's fixed sleep), remove it.
// Used by an order's challenge session and by `acme plugin test`.

import type { Context } from '../../context.ts';
import type { ConfiguredDomain } from '../config/node.ts';
import { DEFAULT_VALIDATION_DELAY } from '../config/plugins.ts';
import { decodePluginData, type PluginSection } from '../config/plugins-cfg.ts';
import { PluginError, UsageError } from '../errors.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { DnsScriptChallenge } from './dns-script.ts';
import { dnsapiSearchDirs, findDnsApiScript } from './dnsapi-scripts.ts';
import { DNS_RESOLVERS_ENV, findAuthoritativeServers, parseResolverList, systemDnsLookup, waitForPropagation, type DnsLookup, type ServerAnswer } from './propagation.ts';
import type { SandboxOptions } from './sandbox.ts';

/** Plugin property choosing how a dns plugin waits for its record: `check` (default) or `sleep` (Proxmox). */
export const PROPAGATION_KEY = 'propagation';
/** Env var: timeout of one DNS script call in seconds (default 300). */
export const DNS_SCRIPT_TIMEOUT_ENV = 'CERTNODE_DNS_SCRIPT_TIMEOUT';
/** A line at least this often while waiting, so a silent terminal never looks like a hang. */
export const PROGRESS_EVERY_MS = 10_000;
/** Earlier stderr lines of a failed setup repeated in the error (the task log has them all). */
const STDERR_LINES_IN_ERROR = 5;

export interface DnsRecordOptions {
  ctx: Context;
  paths: Paths;
  sleep: (ms: number) => Promise<void>;
  /** Aborting kills a running add at once. */
  signal: AbortSignal;
  /** Aborting kills a running rm at once (a second interrupt). */
  teardownSignal: AbortSignal;
  /** Where scripts run; default: a dynamic user under /run/certnode when root, else ourselves in TMPDIR. */
  sandbox?: Partial<Omit<SandboxOptions, 'pluginId'>>;
  /** DNS lookups for the propagation check (tests). */
  dnsLookup?: DnsLookup;
}

export interface ResolvedDnsPlugin {
  api: string;
  script: string;
  data: string;
  resolvers: string[] | undefined;
  timeoutSec: number | undefined;
}

/** Everything a dns plugin needs before its script runs; a bad setting fails here, before any change. */
export function resolveDnsPlugin(plugin: PluginSection, name: string, opts: Pick<DnsRecordOptions, 'ctx' | 'paths'>): ResolvedDnsPlugin {
  const { ctx, paths } = opts;
  const api = plugin.props.get('api');
  if (!api) throw new PluginError(`plugin '${plugin.id}' for domain '${name}': no DNS API configured (set one with 'certnode acme plugin set ${plugin.id} --api <api>')`, plugin.id);
  const script = findDnsApiScript(api, dnsapiSearchDirs(paths, ctx.env));
  if (!script) throw new PluginError(`plugin '${plugin.id}' for domain '${name}': DNS API script dns_${api}.sh not found (see 'certnode acme plugin apis')`, plugin.id);
  const stored = plugin.props.get('data');
  const data = stored === undefined ? '' : decodePluginData(stored);
  if (data === undefined) throw new PluginError(`plugin '${plugin.id}': its data is not valid base64url`, plugin.id);
  const configured = ctx.env[DNS_RESOLVERS_ENV];
  return { api, script, data, resolvers: configured ? parseResolverList(configured) : undefined, timeoutSec: scriptTimeout(ctx.env) };
}

function scriptTimeout(env: Context['env']): number | undefined {
  const value = env[DNS_SCRIPT_TIMEOUT_ENV];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`value '${value}' is not a number of seconds (1 or more)`, DNS_SCRIPT_TIMEOUT_ENV);
  return Number(value);
}

/** What the propagation check saw, in words for the log and for a failed validation's error. */
export interface PropagationOutcome {
  /** false: the plugin sleeps instead (propagation=sleep, or no zone found). */
  checked: boolean;
  visible: boolean;
  /** The name whose TXT values were asked (after following a CNAME). */
  name: string;
  servers: string[];
  missing: ServerAnswer[];
  elapsedMs: number;
  summary: string;
}

export interface DnsRecordTarget {
  /** The configured name (`*.example.com` for a wildcard). */
  name: string;
  domain: ConfiguredDomain;
  plugin: PluginSection;
  /** The TXT value. */
  value: string;
  wildcard: boolean;
  /** The full record name (dns-account-01, dns-persist-01); default `_acme-challenge.<alias or domain>`. */
  recordName?: string;
}

export class DnsRecord {
  readonly name: string;
  readonly plugin: PluginSection;
  /** `_acme-challenge.<domain>`, with `(for *.<domain>)` for a wildcard: apex and wildcard lines differ. */
  readonly label: string;
  #removed = false;
  readonly #log: TaskLog;
  readonly #opts: DnsRecordOptions;
  readonly #target: DnsRecordTarget;
  readonly #resolved: ResolvedDnsPlugin;
  readonly #challenge: DnsScriptChallenge;
  #started = false;
  /** Where waitVisible asked (for waitGone). */
  #checked: { name: string; servers: string[] } | undefined;

  constructor(log: TaskLog, opts: DnsRecordOptions, target: DnsRecordTarget) {
    this.#log = log;
    this.#opts = opts;
    this.#target = target;
    this.name = target.name;
    this.plugin = target.plugin;
    this.#resolved = resolveDnsPlugin(target.plugin, target.name, opts);
    const bare = target.name.replace(/^\*\./, '');
    const shown = target.recordName !== undefined && target.domain.alias === undefined ? target.recordName : `_acme-challenge.${bare}`;
    this.label = `${shown}${target.wildcard ? ` (for ${target.name})` : ''}`;
    const { ctx } = opts;
    this.#challenge = new DnsScriptChallenge({
      pluginId: target.plugin.id,
      api: this.#resolved.api,
      scriptPath: this.#resolved.script,
      data: this.#resolved.data,
      domain: target.domain.alias ?? bare,
      ...(target.recordName === undefined ? {} : { recordName: target.recordName }),
      txtValue: target.value,
      ...(this.#resolved.timeoutSec === undefined ? {} : { timeoutSec: this.#resolved.timeoutSec }),
      onLine: (line) => log.info(`    ${line}`),
      sandbox: { asRoot: process.getuid?.() === 0, tmpRoot: ctx.env.TMPDIR || '/tmp', ...opts.sandbox },
    });
  }

  /** The record name the script sets (`_acme-challenge.<alias>` in alias mode). */
  get recordName(): string {
    return this.#challenge.recordName;
  }

  get removed(): boolean {
    return this.#removed || !this.#started;
  }

  async add(): Promise<void> {
    this.#started = true;
    const { domain } = this.#target;
    try {
      await this.#challenge.setup(this.#opts.signal);
    } catch (err) {
      if (!(err instanceof PluginError)) throw err;
      // the runner names the last stderr line; the lines before it usually say what went wrong
      const earlier = (err.stderrTail ?? '').split('\n').filter((l) => l.trim() !== '').slice(0, -1).slice(-STDERR_LINES_IN_ERROR);
      const more = earlier.length ? `\nstderr:\n${earlier.map((l) => `    ${l}`).join('\n')}` : '';
      throw new PluginError(`domain '${this.name}': ${err.message}${more}`, err.pluginId, err.exitCode, err.stderrTail);
    }
    this.#log.info(`Add TXT record: ${this.label}${domain.alias === undefined ? '' : ` (alias: ${this.recordName})`}`);
  }

  /**
   * Runs the script's rm (once) and removes the sandbox, whatever happens. `unconditionally`:
   * also when this run never added it (`persist-record --remove`).
   */
  async remove(opts: { unconditionally?: boolean } = {}): Promise<void> {
    if (opts.unconditionally && !this.#removed) this.#started = true;
    if (this.removed) {
      this.dispose();
      return;
    }
    this.#removed = true;
    try {
      await this.#challenge.teardown(this.#opts.teardownSignal);
      this.#log.info(`Remove TXT record: ${this.label}`);
    } finally {
      this.dispose();
    }
  }

  /** Kills what the script left and removes its sandbox (synchronous, idempotent). */
  dispose(): void {
    this.#challenge.dispose();
  }

  /** After remove(): waits (bounded) until the servers waitVisible asked no longer serve the value. */
  async waitGone(opts: Pick<DnsRecordOptions, 'ctx' | 'sleep' | 'dnsLookup'>, timeoutMs: number): Promise<{ gone: boolean; still: string }> {
    if (!this.#checked) return { gone: true, still: '' };
    const result = await waitForPropagation({
      lookup: opts.dnsLookup ?? systemDnsLookup(),
      servers: this.#checked.servers,
      name: this.#checked.name,
      value: this.#target.value,
      absent: true,
      timeoutMs,
      sleep: opts.sleep,
      now: () => opts.ctx.now().getTime(),
    });
    return { gone: result.visible, still: describeMissing(result.missing) };
  }

  /** Waits until the record is visible (bounded by the plugin's validation-delay). */
  async waitVisible(opts: { forceCheck?: boolean } = {}): Promise<PropagationOutcome> {
    const { plugin } = this.#target;
    const outcome = await checkPropagation(this.#log, this.#opts, {
      recordName: this.recordName,
      forWhom: this.#target.wildcard ? ` (for ${this.name})` : '',
      value: this.#target.value,
      delay: validationDelay(plugin),
      resolvers: this.#resolved.resolvers,
      sleepInstead: !opts.forceCheck && (plugin.props.get(PROPAGATION_KEY) ?? 'check') === 'sleep' ? `plugin '${plugin.id}' has propagation=sleep` : undefined,
      whenMissing: `plugin '${plugin.id}' validation-delay`,
    });
    if (outcome.checked) this.#checked = { name: outcome.name, servers: outcome.servers };
    return outcome;
  }
}

/** A plugin's validation-delay in seconds (default 30). */
export function validationDelay(plugin: PluginSection | undefined): number {
  const value = plugin?.props.get('validation-delay');
  return value === undefined || !/^\d+$/.test(value) ? DEFAULT_VALIDATION_DELAY : Number(value);
}

export interface PropagationSpec {
  recordName: string;
  /** ` (for *.example.com)` on a wildcard's lines. */
  forWhom: string;
  /** The value to see, or a test a served value must pass. */
  value: string | ((txt: string) => boolean);
  /** Upper bound in seconds. */
  delay: number;
  resolvers: string[] | undefined;
  /** Sleep `delay` instead of checking, and why. */
  sleepInstead?: string | undefined;
  /** What the bound is called in the warning when the value never showed (undefined: no warning). */
  whenMissing?: string | undefined;
}

/**
 * Asks the record's authoritative servers (or CERTNODE_DNS_RESOLVERS) until every one serves
 * the value, printing a line every 10 s; Proxmox's fixed sleep when told to or when no zone
 * is found.
 */
export async function checkPropagation(log: TaskLog, deps: Pick<DnsRecordOptions, 'ctx' | 'sleep' | 'dnsLookup'>, spec: PropagationSpec): Promise<PropagationOutcome> {
  const { ctx, sleep } = deps;
  const { delay, forWhom } = spec;
  const started = ctx.now().getTime();
  const unchecked = async (summary: string): Promise<PropagationOutcome> => {
    if (delay > 0) {
      log.info(`Sleeping ${delay} seconds to wait for TXT record propagation`);
      await sleep(delay * 1000);
    }
    return { checked: false, visible: false, name: spec.recordName, servers: [], missing: [], elapsedMs: ctx.now().getTime() - started, summary };
  };
  if (spec.sleepInstead) return unchecked(`not checked (${spec.sleepInstead}; slept ${delay} s)`);

  const lookup = deps.dnsLookup ?? systemDnsLookup();
  const recordName = spec.recordName;
  let name = recordName;
  let servers: string[];
  let where: string;
  if (spec.resolvers) {
    servers = spec.resolvers;
    where = `${servers.join(', ')} (${DNS_RESOLVERS_ENV})`;
  } else {
    try {
      const found = await findAuthoritativeServers(recordName, lookup);
      name = found.name;
      servers = found.servers;
      where = `${found.nameServers.join(', ')} (zone ${found.zone}${name === recordName ? '' : `, via CNAME to ${name}`})`;
    } catch (err) {
      const why = (err as Error).message;
      log.warn(`cannot find the authoritative name servers of ${recordName}: ${why} - waiting instead`);
      return unchecked(`not checked (no authoritative name servers found for ${recordName}: ${why})`);
    }
  }
  log.info(`Checking TXT record propagation of ${name}${forWhom} on ${where}, up to ${delay} s`);
  const result = await waitForPropagation({
    lookup,
    servers,
    name,
    value: spec.value,
    timeoutMs: delay * 1000,
    sleep,
    now: () => ctx.now().getTime(),
    progressEveryMs: PROGRESS_EVERY_MS,
    onProgress: (elapsedMs, missing) => log.info(`Waiting for TXT record ${name}${forWhom}: not yet on ${describeMissing(missing)} - ${Math.round(elapsedMs / 1000)} s of ${delay} s`),
  });
  const elapsedMs = ctx.now().getTime() - started;
  const count = `${servers.length} name server${servers.length === 1 ? '' : 's'}`;
  if (result.visible) {
    const all = servers.length === 1 ? 'the name server' : `all ${count}`;
    log.info(`TXT record for ${name}${forWhom} visible on ${all}`);
    return { checked: true, visible: true, name, servers, missing: [], elapsedMs, summary: `the propagation check saw the value on ${all} (${servers.join(', ')})` };
  }
  const missing = describeMissing(result.missing);
  if (spec.whenMissing) log.warn(`TXT record for ${name}${forWhom} not visible on ${missing} after ${delay} s (${spec.whenMissing}) - triggering validation anyway, the CA may still see it`);
  return { checked: true, visible: false, name, servers, missing: result.missing, elapsedMs, summary: `the propagation check did not see the value on ${missing} within ${delay} s` };
}

function describeMissing(missing: readonly ServerAnswer[]): string {
  return missing.map((m) => (m.error ? `${m.server} (${m.error})` : m.server)).join(', ');
}

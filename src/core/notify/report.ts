// After an order, renewal or revocation: record the outcome (certnode-runs.json), rewrite the
// metrics file, and notify (notify-command, notify-mailto) when notify-on asks for the event.
// Nothing here changes the task's outcome: a failure of its own is a task-log warning.

import type { CommandEnv } from '../env.ts';
import { configuredDomains, NOTIFY_EVENTS, unattendedSettings, type NotifyEvent, type UnattendedSettings } from '../config/node.ts';
import { decodePluginData } from '../config/plugins-cfg.ts';
import { loadNodeConfig, loadPlugins } from '../config/repo.ts';
import { certTargets } from '../cert/install.ts';
import { installedStatus } from '../cert/status.ts';
import { certSettings } from '../config/node.ts';
import { AcmeProblemError, CancelledError, ReloadFailedError } from '../errors.ts';
import { writeMetricsFile } from '../metrics.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { nextRunState, readRunState, writeRunState, type RateLimit } from '../run-state.ts';
import { findSendmail, isFailureEvent, mailMessage, NOTIFY_TIMEOUT_MS, notifyEnvironment, shouldNotify, type NotifyFacts } from './notify.ts';

export type TaskKind = 'order' | 'renew' | 'revoke';
const SUCCESS: Record<TaskKind, NotifyEvent> = { order: 'ordered', renew: 'renewed', revoke: 'revoked' };
const FAILURE: Record<TaskKind, NotifyEvent> = { order: 'order-failed', renew: 'renew-failed', revoke: 'revoke-failed' };
export const RATE_LIMITED = 'urn:ietf:params:acme:error:rateLimited';
/** How much of the task log a mail carries. */
const LOG_TAIL_LINES = 40;

/** The `node` the task runs for (--node, CERTNODE_NODE or the host's short name, as pvenode's node name). */
export function nodeName(env: CommandEnv): string {
  return env.paths.node;
}

/**
 * Run a task's work, then report its outcome. An interrupt (Ctrl-C, service stop) is no
 * outcome: it is neither recorded nor notified.
 */
export async function withOutcomeReport<T>(env: CommandEnv, log: TaskLog, kind: TaskKind, work: (log: TaskLog) => Promise<T>): Promise<T> {
  const tail: string[] = [];
  const keep = (text: string): void => {
    tail.push(...text.split('\n'));
    if (tail.length > LOG_TAIL_LINES) tail.splice(0, tail.length - LOG_TAIL_LINES);
  };
  const teeLog: TaskLog = {
    info(text) {
      keep(text);
      log.info(text);
    },
    warn(text) {
      keep(text);
      log.warn(text);
    },
  };
  let result: T;
  try {
    result = await work(teeLog);
  } catch (err) {
    if (err instanceof CancelledError) throw err;
    const reloadFailed = err instanceof ReloadFailedError;
    const rateLimit: RateLimit | undefined =
      err instanceof AcmeProblemError && err.type === RATE_LIMITED && err.retryAt ? { until: Math.ceil(err.retryAt.getTime() / 1000), detail: err.message } : undefined;
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, '; ');
    await reportOutcome(env, teeLog, tail, reloadFailed ? 'reload-failed' : FAILURE[kind], { success: reloadFailed, error: message, rateLimit });
    throw err;
  }
  await reportOutcome(env, teeLog, tail, SUCCESS[kind], { success: true, error: undefined, rateLimit: undefined });
  return result;
}

async function reportOutcome(
  env: CommandEnv,
  log: TaskLog,
  tail: readonly string[],
  event: NotifyEvent,
  outcome: { success: boolean; error: string | undefined; rateLimit: RateLimit | undefined },
): Promise<void> {
  const now = env.ctx.now();
  const previous = readRunState(env.paths);
  try {
    writeRunState(env.paths, nextRunState(previous, { event, success: outcome.success, now: Math.floor(now.getTime() / 1000), rateLimit: outcome.rateLimit }));
  } catch (err) {
    log.warn(`could not record the outcome - ${err instanceof Error ? err.message : String(err)}`);
  }
  const failed = updateMetrics(env);
  if (failed) log.warn(failed);
  let settings: UnattendedSettings;
  try {
    settings = unattendedSettings(loadNodeConfig(env.paths).config);
  } catch (err) {
    log.warn(`no notification sent - ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  if (!settings.notifyCommand && settings.notifyMailto.length === 0) return;
  const afterFailure = previous.consecutiveFailures > 0 || NOTIFY_EVENTS.some((e) => e === previous.lastEvent && isFailureEvent(e));
  if (!shouldNotify(event, settings.notifyOn, afterFailure)) return;
  const facts: NotifyFacts = { event, node: nodeName(env), domains: domainNames(env), notAfter: notAfter(env), error: outcome.error };
  if (settings.notifyCommand) await runNotifyCommand(env, log, settings.notifyCommand, facts);
  if (settings.notifyMailto.length > 0) await sendNotifyMail(env, log, settings.notifyMailto, facts, tail);
}

async function runNotifyCommand(env: CommandEnv, log: TaskLog, command: string, facts: NotifyFacts): Promise<void> {
  log.info(`Running notify command (${facts.event})`);
  const { runBounded } = await import('../run-bounded.ts');
  const failure = await runBounded('/bin/sh', ['-c', command], 'notify command', {
    env: { ...definedEnv(env.ctx.env), ...notifyEnvironment(facts) },
    timeoutMs: NOTIFY_TIMEOUT_MS,
    onLine: (line) => log.info(line),
  });
  if (failure) log.warn(`${failure} (notify-command '${command}')`);
}

async function sendNotifyMail(env: CommandEnv, log: TaskLog, to: readonly string[], facts: NotifyFacts, tail: readonly string[]): Promise<void> {
  const sendmail = findSendmail(env.ctx.env.PATH);
  if (!sendmail) {
    log.warn('notify-mailto: no sendmail found on this host (install an MTA, e.g. postfix, exim4 or msmtp-mta)');
    return;
  }
  log.info(`Sending notification mail (${facts.event}) to ${to.join(', ')}`);
  const message = mailMessage(facts, to, maskSecrets(env.paths, tail), env.ctx.now());
  const output: string[] = [];
  const { runBounded } = await import('../run-bounded.ts');
  const failure = await runBounded(sendmail, ['-i', '--', ...to], 'sendmail', { env: definedEnv(env.ctx.env), stdin: message, timeoutMs: NOTIFY_TIMEOUT_MS, onLine: (line) => output.push(line) });
  if (failure) log.warn(`notify-mailto: ${failure}${output.length ? `: ${output.slice(-3).join(' ')}` : ''}`);
}

/**
 * The task log never carries plugin secrets (the DNS runner masks them), but a mail leaves the
 * host: any DNS plugin data value that still shows up is masked once more.
 */
export function maskSecrets(paths: Paths, lines: readonly string[]): string[] {
  const secrets: string[] = [];
  try {
    for (const section of loadPlugins(paths).config.sections) {
      const data = section.props.get('data');
      const text = data === undefined ? undefined : decodePluginData(data);
      for (const line of (text ?? '').split('\n')) {
        const value = line.slice(line.indexOf('=') + 1).trim().replace(/^(['"])(.*)\1$/, '$2');
        if (line.includes('=') && value.length >= 4) secrets.push(value);
      }
    }
  } catch {
    // no plugins config: nothing to mask
  }
  return lines.map((line) => secrets.reduce((l, s) => l.split(s).join('***'), line));
}

function definedEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function domainNames(env: CommandEnv): string[] {
  try {
    return configuredDomains(loadNodeConfig(env.paths).config, loadPlugins(env.paths).config).map((d) => d.domain);
  } catch {
    return [];
  }
}

function notAfter(env: CommandEnv): Date | undefined {
  try {
    const targets = certTargets(certSettings(loadNodeConfig(env.paths).config, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile }), env.paths);
    const status = installedStatus(targets, env.ctx.now());
    return status ? new Date(status.notAfter * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** Rewrite the metrics file when metrics-file is set; returns what went wrong, if anything. */
export function updateMetrics(env: CommandEnv): string | undefined {
  let file: string | undefined;
  try {
    const cfg = loadNodeConfig(env.paths).config;
    file = unattendedSettings(cfg).metricsFile;
    if (!file) return undefined;
    const targets = certTargets(certSettings(cfg, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile }), env.paths);
    const status = installedStatus(targets, env.ctx.now());
    writeMetricsFile(file, {
      node: nodeName(env),
      runs: readRunState(env.paths),
      ...(status
        ? {
            certificate: {
              notBefore: status.notBefore,
              notAfter: status.notAfter,
              source: status.source ?? 'custom',
              ...(status.renewal ? { renewalDue: status.renewal.due } : {}),
              ...(status.ari ? { ari: { start: status.ari.start, end: status.ari.end } } : {}),
            },
          }
        : {}),
    });
    return undefined;
  } catch (err) {
    return `could not write the metrics file${file ? ` '${file}'` : ''} - ${err instanceof Error ? err.message : String(err)}`;
  }
}

// certnode acme cert renew [--force] [--dry-run] [--check]: the daily timer's command. When
// nothing is due it answers from the installed file (and, when the CA offers ARI, one plain GET
// of its renewalInfo, remembered for its Retry-After), without loading any ACME library. When
// the CA rate-limited the last try, it is not asked again before its Retry-After (--force does).
// What orders (the ACME client, challenges, the task log) is imported only when something is due.

import { parseBoolean } from '../../../core/config/formats.ts';
import { persistValidatedNames, unattendedSettings } from '../../../core/config/node.ts';
import { loadNodeConfig, loadPlugins } from '../../../core/config/repo.ts';
import { certificateInfo } from '../../../core/cert/x509.ts';
import { ariCheck, installedAcmePair, nodeCertContext, renewCheck, requireNodeAccount } from '../../../core/acme/installed.ts';
import { inspectInstalled } from '../../../core/cert/install.ts';
import { combineWithAri } from '../../../core/cert/renewal.ts';
import { UsageError } from '../../../core/errors.ts';
import type { Result } from '../../../core/output/render.ts';
import { readRunState } from '../../../core/run-state.ts';
import type { CommandEnv, LeafCommand } from '../../command.ts';
import { localTime } from '../../cert/shared.ts';

const DAY_MS = 86_400_000;

interface RenewOptions {
  force: boolean;
  dryRun: boolean;
  check: boolean;
}

/**
 * A renew that ends without a task (not due, hand-set, rate-limited, --check): the metrics still
 * get rewritten. The report module (metrics, notifications) is loaded only when node.cfg names a
 * metrics file (or cannot be read: updateMetrics then says why).
 */
async function answer(env: CommandEnv, text: string, data: Record<string, unknown>): Promise<Result> {
  if (metricsConfigured(env)) {
    const { updateMetrics } = await import('../../../core/notify/report.ts');
    const failed = updateMetrics(env);
    if (failed) env.ctx.io.stderr.write(`WARNING: ${failed}\n`);
  }
  return { kind: 'text', text, data };
}

function metricsConfigured(env: CommandEnv): boolean {
  try {
    return unattendedSettings(loadNodeConfig(env.paths).config).metricsFile !== undefined;
  } catch {
    return true;
  }
}

export const command: LeafCommand<RenewOptions> = {
  parse(_args, raw) {
    const flag = (name: string, key: string): boolean => (raw[key] === undefined ? false : parseBoolean(raw[key]!, name));
    const opts = { force: flag('force', 'force'), dryRun: flag('dry-run', 'dryRun'), check: flag('check', 'check') };
    if (opts.check && opts.dryRun) throw new UsageError("'--check' and '--dry-run' exclude each other (--check never contacts the CA's order endpoints)", 'check');
    return opts;
  },
  async run(env, opts) {
    const nodeCert = await nodeCertContext(env);
    // one read of the pair; answered from the state file's record when the bytes are the ones an
    // install checked (nothing parsed). A dry run leaves the state file as it is: no record written.
    const installed = await inspectInstalled(nodeCert.targets, { record: !opts.dryRun });
    const broken = installed.problem;
    if (broken !== undefined) {
      // The service cannot use what is installed: that is as due as it gets.
      requireNodeAccount(env);
      const { orderAndInstall, runTask, withCertificateTaskLock } = await ordering();
      return runTask(env, (log) =>
        withCertificateTaskLock(env, async () => {
          log.info(`The installed certificate cannot be used (${broken}), ordering a new one`);
          const result = await orderAndInstall(env, log, nodeCert, () => {});
          return { kind: 'object', data: { due: true, renewed: true, unusable: broken, certificate: certificateInfo(result.chain, nodeCert.targets.certFile), order: result.orderUrl } };
        }),
      );
    }
    const { pair, validity } = installedAcmePair(installed);
    const now = env.ctx.now();
    const { decision: lifetime, notAfter } = renewCheck(validity, now);
    // the CA asked (rate limit, Retry-After) not to be contacted before this: no ARI GET either
    const limit = readRunState(env.paths).rateLimit;
    const limited = !opts.force && limit !== undefined && now.getTime() < limit.until * 1000 ? limit : undefined;
    // a hand-set certificate is not ours to renew: no need to ask its CA anything
    // a dry run orders whatever is due and must leave the state file as it is: no ARI look-up
    const checked = pair.source === 'acme' && !opts.force && !limited && !opts.dryRun ? await ariCheck(env.ctx, nodeCert.targets, pair.chain, installed.acme) : undefined;
    const ari = checked?.ari;
    // the CA offers ARI but gave no answer: say so (not an error), the lifetime rule decides
    const fallback = checked?.fallback === undefined ? '' : `No renewal information from the CA (ARI: ${checked.fallback}) - deciding by the certificate's lifetime\n`;
    const decision = combineWithAri(lifetime, ari, now, notAfter);
    const status = {
      due: decision.due,
      'due-from': Math.floor(decision.dueAt.getTime() / 1000),
      reason: decision.reason,
      notafter: Math.floor(notAfter.getTime() / 1000),
      source: pair.source,
      renewed: false,
      changed: false,
      ...(ari ? { ari: { start: ari.start, end: ari.end, 'renew-at': ari.renewAt, 'next-check': ari.nextCheck, ...(ari.explanationURL ? { explanation: ari.explanationURL } : {}) } } : {}),
      ...(checked?.fallback === undefined ? {} : { 'ari-unavailable': checked.fallback }),
      ...(limited ? { 'rate-limited-until': limited.until } : {}),
    };
    const custom = !opts.force && pair.source === 'custom';
    const why = ari ? `ARI window from ${localTime(ari.start)} to ${localTime(ari.end)}` : undefined;
    const explained = ari?.explanationURL ? `The CA explains its renewal window at ${ari.explanationURL}\n` : '';
    const wait = limited ? `the CA rate-limited the last renewal (${limited.detail}); not contacting it again before ${localTime(limited.until)} ('--force' does)` : undefined;
    if (opts.check) {
      const would = !custom && !limited && (opts.force || decision.due);
      let text: string;
      if (custom) text = "Would not renew: the installed certificate was set by hand (cert set); 'acme cert renew --force' replaces it with an ACME certificate.\n";
      else if (limited) text = `Would not renew now: ${wait}.\n`;
      else if (would) text = `Would renew: ${decision.due ? `due since ${localTime(status['due-from'])} (${decision.reason === 'ari' ? why : 'a third of its lifetime left, half for short-lived certificates'})` : 'forced'}; the certificate expires ${localTime(status.notafter)}.\n${explained}`;
      else text = `Would not renew: due for renewal from ${localTime(status['due-from'])}${why ? ` (${why})` : ''}; the certificate expires ${localTime(status.notafter)}.\n${explained}`;
      const persisted = persistValidatedNames(loadNodeConfig(env.paths).config, loadPlugins(env.paths).config);
      if (persisted.length) text += `Validated through dns-persist-01 records (no DNS change at renewal; 'certnode acme cert persist-record' shows them): ${persisted.join(', ')}\n`;
      return answer(env, text, { ...status, 'would-renew': would, ...(persisted.length ? { 'dns-persist-01': persisted } : {}) });
    }
    if (custom) {
      return answer(env, "The installed certificate was set by hand (cert set), not renewing it; 'acme cert renew --force' replaces it with an ACME certificate.\n", status);
    }
    if (limited) return answer(env, `Not renewing now: ${wait}.\n`, status);
    if (opts.dryRun) {
      requireNodeAccount(env);
      const { dryRunOrder, runTask, withCertificateTaskLock } = await ordering();
      return runTask(env, (log) =>
        withCertificateTaskLock(env, async () => {
          const result = await dryRunOrder(env, log);
          return { kind: 'object', data: { ...status, 'dry-run': true, names: result.names, order: result.orderUrl } };
        }),
      );
    }
    if (!opts.force && !decision.due) {
      const days = Math.round((notAfter.getTime() - decision.dueAt.getTime()) / DAY_MS);
      const text = `${fallback}Certificate does not expire within the next ${days} days, not renewing (due for renewal from ${localTime(status['due-from'])}${why ? `; ${why}` : ''}).\n${explained}`;
      return answer(env, text, status);
    }
    requireNodeAccount(env);
    const { orderAndInstall, orderedResult, runTask, withCertificateTaskLock, withOutcomeReport } = await ordering();
    return runTask(env, (log) =>
      withCertificateTaskLock(env, () =>
        withOutcomeReport(env, log, 'renew', async (log) => {
          if (fallback) log.info(fallback.trimEnd());
          if (!opts.force && decision.reason === 'ari') {
            log.info(`Renewing early: the CA suggests it (${why})`);
            if (explained) log.info(explained.trimEnd());
          }
          const result = await orderAndInstall(env, log, nodeCert, () => {});
          return { kind: 'object', data: { ...status, renewed: true, ...orderedResult(certificateInfo(result.chain, nodeCert.targets.certFile), result.orderUrl) } };
        }),
      ),
    );
  },
};

/** The ordering side of certificate.ts, the task log and the outcome report, for a renewal that orders. */
async function ordering(): Promise<typeof import('../../../core/acme/certificate.ts') & typeof import('../../../core/output/tasklog.ts') & typeof import('../../../core/notify/report.ts')> {
  const [certificate, tasklog, report] = await Promise.all([import('../../../core/acme/certificate.ts'), import('../../../core/output/tasklog.ts'), import('../../../core/notify/report.ts')]);
  return { ...certificate, ...tasklog, ...report };
}

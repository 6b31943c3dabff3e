// certnode acme cert order [--force] [--dry-run]

import { parseBoolean } from '../../../core/config/formats.ts';
import { configuredDomains } from '../../../core/config/node.ts';
import { loadNodeConfig, loadPlugins } from '../../../core/config/repo.ts';
import { readInstalled, type InstalledPair } from '../../../core/cert/install.ts';
import { certificateInfo } from '../../../core/cert/x509.ts';
import { dryRunOrder, nodeCertContext, nodeDomains, requireNodeAccount, orderAndInstall, withCertificateTaskLock } from '../../../core/acme/certificate.ts';
import { withOutcomeReport } from '../../../core/notify/report.ts';
import { CliError, UsageError } from '../../../core/errors.ts';
import { orderedResult, runTask } from '../../../core/output/tasklog.ts';
import { NO_DOMAINS } from '../../../core/acme/hints.ts';
import type { LeafCommand } from '../../command.ts';

const CUSTOM_EXISTS = "Custom certificate exists but 'force' is not set.";

export const command: LeafCommand<{ force: boolean; dryRun: boolean }> = {
  parse(_args, raw) {
    return { force: raw.force === undefined ? false : parseBoolean(raw.force, 'force'), dryRun: raw.dryRun === undefined ? false : parseBoolean(raw.dryRun, 'dry-run') };
  },
  async run(env, opts) {
    const nodeCert = await nodeCertContext(env);
    const refuseCustom = (current: InstalledPair): void => {
      if (current.source === 'custom' && !opts.force) throw new UsageError(CUSTOM_EXISTS, 'force');
    };
    // pvenode's pre-checks, before the task starts (a dry run installs nothing, so replaces nothing)
    if (!opts.dryRun) refuseCustom(readInstalled(nodeCert.targets));
    if (configuredDomains(loadNodeConfig(env.paths).config, loadPlugins(env.paths).config).length === 0) {
      throw new CliError(NO_DOMAINS);
    }
    // a plugin meant for other nodes (its nodes setting): refused before the CA is contacted
    nodeDomains(env);
    requireNodeAccount(env);
    if (opts.dryRun) {
      return runTask(env, (log) =>
        withCertificateTaskLock(env, async () => {
          const result = await dryRunOrder(env, log);
          return { kind: 'object', data: { 'dry-run': true, names: result.names, order: result.orderUrl } };
        }),
      );
    }
    return runTask(env, (log) =>
      withCertificateTaskLock(env, () =>
        withOutcomeReport(env, log, 'order', async (log) => {
          const result = await orderAndInstall(env, log, nodeCert, refuseCustom);
          return { kind: 'object', data: orderedResult(certificateInfo(result.chain, nodeCert.targets.certFile), result.orderUrl) };
        }),
      ),
    );
  },
};

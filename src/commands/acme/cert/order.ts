// certnode acme cert order [--force]

import { parseBoolean } from '../../../core/config/formats.ts';
import { configuredDomains } from '../../../core/config/node.ts';
import { loadNodeConfig, loadPlugins } from '../../../core/config/repo.ts';
import { readInstalled, type InstalledPair } from '../../../core/cert/install.ts';
import { certificateInfo } from '../../../core/cert/x509.ts';
import { nodeCertContext, requireNodeAccount, orderAndInstall, withCertificateTaskLock } from '../../../core/acme/certificate.ts';
import { CliError, UsageError } from '../../../core/errors.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import type { LeafCommand } from '../../command.ts';

const CUSTOM_EXISTS = "Custom certificate exists but 'force' is not set.";

export const command: LeafCommand<{ force: boolean }> = {
  parse(_args, raw) {
    return { force: raw.force === undefined ? false : parseBoolean(raw.force, 'force') };
  },
  async run(env, opts) {
    const nodeCert = await nodeCertContext(env);
    const refuseCustom = (current: InstalledPair): void => {
      if (current.source === 'custom' && !opts.force) throw new UsageError(CUSTOM_EXISTS, 'force');
    };
    // pvenode's pre-checks, before the task starts
    refuseCustom(readInstalled(nodeCert.targets));
    if (configuredDomains(loadNodeConfig(env.paths).config, loadPlugins(env.paths).config).length === 0) {
      throw new CliError('ACME domain list in node configuration is missing!');
    }
    requireNodeAccount(env);
    return runTask(env, (log) =>
      withCertificateTaskLock(env, async () => {
        const result = await orderAndInstall(env, log, nodeCert, refuseCustom);
        return { kind: 'object', data: { ...certificateInfo(result.chain, nodeCert.targets.certFile), order: result.orderUrl } };
      }),
    );
  },
};

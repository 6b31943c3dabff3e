// certnode acme cert revoke [--reason R] [--yes]: asks first on a terminal (it cannot be undone).

import { nodeCertContext, requireNodeAccount, parseRevocationReason, revokeInstalled, withCertificateTaskLock, installedAcmeCertificate } from '../../../core/acme/certificate.ts';
import { withOutcomeReport } from '../../../core/notify/report.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import { parseBoolean } from '../../../core/config/formats.ts';
import type { LeafCommand } from '../../command.ts';
import { confirmOnTerminal } from '../../confirm.ts';

export const command: LeafCommand<{ reason: number | undefined; yes: boolean }> = {
  parse(_args, raw) {
    return {
      reason: raw.reason === undefined ? undefined : parseRevocationReason(raw.reason),
      yes: raw.yes === undefined ? false : parseBoolean(raw.yes, 'yes'),
    };
  },
  async run(env, opts) {
    const nodeCert = await nodeCertContext(env);
    const { cert } = installedAcmeCertificate(nodeCert.targets); // nothing to revoke: fail before the task starts
    requireNodeAccount(env);
    await confirmOnTerminal(env, `Revoke the installed certificate (${cert.subject.replace(/\n/g, ', ')}, serial ${cert.serialNumber.toLowerCase()})? A self-signed one takes its place.`, opts.yes);
    return runTask(env, (log) =>
      withCertificateTaskLock(env, () =>
        withOutcomeReport(env, log, 'revoke', async (log) => {
          const { serial } = await revokeInstalled(env, log, nodeCert, opts.reason);
          return { kind: 'object', data: { revoked: serial } };
        }),
      ),
    );
  },
};

// certnode acme cert revoke [--reason R]

import { nodeCertContext, requireNodeAccount, parseRevocationReason, revokeInstalled, withCertificateTaskLock, installedAcmeCertificate } from '../../../core/acme/certificate.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import type { LeafCommand } from '../../command.ts';

export const command: LeafCommand<{ reason: number | undefined }> = {
  parse(_args, raw) {
    return { reason: raw.reason === undefined ? undefined : parseRevocationReason(raw.reason) };
  },
  async run(env, opts) {
    const nodeCert = await nodeCertContext(env);
    installedAcmeCertificate(nodeCert.targets); // nothing to revoke: fail before the task starts
    requireNodeAccount(env);
    return runTask(env, (log) =>
      withCertificateTaskLock(env, async () => {
        const { serial } = await revokeInstalled(env, log, nodeCert, opts.reason);
        return { kind: 'object', data: { revoked: serial } };
      }),
    );
  },
};

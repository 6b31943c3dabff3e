// certnode acme cert renew [--force]: the daily timer's command. When nothing is due it answers
// from the installed file alone, without loading any ACME code.

import { parseBoolean } from '../../../core/config/formats.ts';
import { certificateInfo } from '../../../core/cert/x509.ts';
import { installedAcmeCertificate, nodeCertContext, orderAndInstall, renewCheck, requireNodeAccount, withCertificateTaskLock } from '../../../core/acme/certificate.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import type { LeafCommand } from '../../command.ts';
import { localTime } from '../../cert/shared.ts';

const DAY_MS = 86_400_000;

export const command: LeafCommand<{ force: boolean }> = {
  parse(_args, raw) {
    return { force: raw.force === undefined ? false : parseBoolean(raw.force, 'force') };
  },
  async run(env, opts) {
    const nodeCert = nodeCertContext(env);
    const { pair, cert } = installedAcmeCertificate(nodeCert.targets);
    const now = env.ctx.now();
    const { decision, notAfter } = renewCheck(cert, now);
    const status = { due: decision.due, 'due-from': Math.floor(decision.dueAt.getTime() / 1000), notafter: Math.floor(notAfter.getTime() / 1000), source: pair.source, renewed: false };
    if (!opts.force && pair.source === 'custom') {
      return { kind: 'text', text: "The installed certificate was set by hand (cert set), not renewing it; 'acme cert renew --force' replaces it with an ACME certificate.\n", data: status };
    }
    if (!opts.force && !decision.due) {
      const days = Math.round((notAfter.getTime() - decision.dueAt.getTime()) / DAY_MS);
      const text = `Certificate does not expire within the next ${days} days, not renewing (due for renewal from ${localTime(status['due-from'])}).\n`;
      return { kind: 'text', text, data: status };
    }
    requireNodeAccount(env);
    return runTask(env, (log) =>
      withCertificateTaskLock(env, async () => {
        const result = await orderAndInstall(env, log, nodeCert, () => {});
        return { kind: 'object', data: { ...status, renewed: true, certificate: certificateInfo(result.chain, nodeCert.targets.certFile), order: result.orderUrl } };
      }),
    );
  },
};

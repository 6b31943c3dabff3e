// certnode acme cert renew [--force]: the daily timer's command. When nothing is due it answers
// from the installed file (and, when the CA offers ARI, one plain GET of its renewalInfo,
// remembered for its Retry-After), without loading any ACME library.

import { parseBoolean } from '../../../core/config/formats.ts';
import { certificateInfo } from '../../../core/cert/x509.ts';
import { ariCheck, installedAcmeCertificate, nodeCertContext, orderAndInstall, renewCheck, requireNodeAccount, withCertificateTaskLock } from '../../../core/acme/certificate.ts';
import { installedPairProblem } from '../../../core/cert/install.ts';
import { combineWithAri } from '../../../core/cert/renewal.ts';
import { runTask } from '../../../core/output/tasklog.ts';
import type { LeafCommand } from '../../command.ts';
import { localTime } from '../../cert/shared.ts';

const DAY_MS = 86_400_000;

export const command: LeafCommand<{ force: boolean }> = {
  parse(_args, raw) {
    return { force: raw.force === undefined ? false : parseBoolean(raw.force, 'force') };
  },
  async run(env, opts) {
    const nodeCert = await nodeCertContext(env);
    const broken = installedPairProblem(nodeCert.targets);
    if (broken !== undefined) {
      // The service cannot use what is installed: that is as due as it gets.
      requireNodeAccount(env);
      return runTask(env, (log) =>
        withCertificateTaskLock(env, async () => {
          log.info(`The installed certificate cannot be used (${broken}), ordering a new one`);
          const result = await orderAndInstall(env, log, nodeCert, () => {});
          return { kind: 'object', data: { due: true, renewed: true, unusable: broken, certificate: certificateInfo(result.chain, nodeCert.targets.certFile), order: result.orderUrl } };
        }),
      );
    }
    const { pair, cert } = installedAcmeCertificate(nodeCert.targets);
    const now = env.ctx.now();
    const { decision: lifetime, notAfter } = renewCheck(cert, now);
    // a hand-set certificate is not ours to renew: no need to ask its CA anything
    const ari = pair.source === 'acme' && !opts.force ? await ariCheck(env.ctx, nodeCert.targets, pair.chain!, cert.raw) : undefined;
    const decision = combineWithAri(lifetime, ari, now);
    const status = {
      due: decision.due,
      'due-from': Math.floor(decision.dueAt.getTime() / 1000),
      notafter: Math.floor(notAfter.getTime() / 1000),
      source: pair.source,
      renewed: false,
      ...(ari ? { ari: { start: ari.start, end: ari.end, 'renew-at': ari.renewAt, 'next-check': ari.nextCheck, ...(ari.explanationURL ? { explanation: ari.explanationURL } : {}) } } : {}),
    };
    if (!opts.force && pair.source === 'custom') {
      return { kind: 'text', text: "The installed certificate was set by hand (cert set), not renewing it; 'acme cert renew --force' replaces it with an ACME certificate.\n", data: status };
    }
    const why = ari ? `ARI window from ${localTime(ari.start)} to ${localTime(ari.end)}` : undefined;
    const explained = ari?.explanationURL ? `The CA explains its renewal window at ${ari.explanationURL}\n` : '';
    if (!opts.force && !decision.due) {
      const days = Math.round((notAfter.getTime() - decision.dueAt.getTime()) / DAY_MS);
      const text = `Certificate does not expire within the next ${days} days, not renewing (due for renewal from ${localTime(status['due-from'])}${why ? `; ${why}` : ''}).\n${explained}`;
      return { kind: 'text', text, data: status };
    }
    requireNodeAccount(env);
    return runTask(env, (log) =>
      withCertificateTaskLock(env, async () => {
        if (!opts.force && decision.reason === 'ari') {
          log.info(`Renewing early: the CA suggests it (${why})`);
          if (explained) log.info(explained.trimEnd());
        }
        const result = await orderAndInstall(env, log, nodeCert, () => {});
        return { kind: 'object', data: { ...status, renewed: true, certificate: certificateInfo(result.chain, nodeCert.targets.certFile), order: result.orderUrl } };
      }),
    );
  },
};

// certnode acme cert renew [--force]: the daily timer's command. When nothing is due it answers
// from the installed file (and, when the CA offers ARI, one plain GET of its renewalInfo,
// remembered for its Retry-After), without loading any ACME library.

import { parseBoolean } from '../../../core/config/formats.ts';
import { certificateInfo } from '../../../core/cert/x509.ts';
import { ariCheck, installedAcmeCertificate, nodeCertContext, orderAndInstall, renewCheck, requireNodeAccount, withCertificateTaskLock } from '../../../core/acme/certificate.ts';
import { combineWithAri } from '../../../core/cert/renewal.ts';
import { orderedResult, runTask } from '../../../core/output/tasklog.ts';
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
    const { decision: lifetime, notAfter } = renewCheck(cert, now);
    // a hand-set certificate is not ours to renew: no need to ask its CA anything
    const checked = pair.source === 'acme' && !opts.force ? await ariCheck(env.ctx, nodeCert.targets, pair.chain!, cert.raw) : undefined;
    const ari = checked?.ari;
    // the CA offers ARI but gave no answer: say so (not an error), the lifetime rule decides
    const fallback = checked?.fallback === undefined ? '' : `No renewal information from the CA (ARI: ${checked.fallback}) - deciding by the certificate's lifetime\n`;
    const decision = combineWithAri(lifetime, ari, now, notAfter);
    const status = {
      due: decision.due,
      'due-from': Math.floor(decision.dueAt.getTime() / 1000),
      notafter: Math.floor(notAfter.getTime() / 1000),
      source: pair.source,
      renewed: false,
      changed: false,
      ...(ari ? { ari: { start: ari.start, end: ari.end, 'renew-at': ari.renewAt, 'next-check': ari.nextCheck, ...(ari.explanationURL ? { explanation: ari.explanationURL } : {}) } } : {}),
      ...(checked?.fallback === undefined ? {} : { 'ari-unavailable': checked.fallback }),
    };
    if (!opts.force && pair.source === 'custom') {
      return { kind: 'text', text: "The installed certificate was set by hand (cert set), not renewing it; 'acme cert renew --force' replaces it with an ACME certificate.\n", data: status };
    }
    const why = ari ? `ARI window from ${localTime(ari.start)} to ${localTime(ari.end)}` : undefined;
    const explained = ari?.explanationURL ? `The CA explains its renewal window at ${ari.explanationURL}\n` : '';
    if (!opts.force && !decision.due) {
      const days = Math.round((notAfter.getTime() - decision.dueAt.getTime()) / DAY_MS);
      const text = `${fallback}Certificate does not expire within the next ${days} days, not renewing (due for renewal from ${localTime(status['due-from'])}${why ? `; ${why}` : ''}).\n${explained}`;
      return { kind: 'text', text, data: status };
    }
    requireNodeAccount(env);
    return runTask(env, (log) =>
      withCertificateTaskLock(env, async () => {
        if (fallback) log.info(fallback.trimEnd());
        if (!opts.force && decision.reason === 'ari') {
          log.info(`Renewing early: the CA suggests it (${why})`);
          if (explained) log.info(explained.trimEnd());
        }
        const result = await orderAndInstall(env, log, nodeCert, () => {});
        return { kind: 'object', data: { ...status, renewed: true, ...orderedResult(certificateInfo(result.chain, nodeCert.targets.certFile), result.orderUrl) } };
      }),
    );
  },
};

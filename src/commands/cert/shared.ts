// What the cert commands share: the node's certificate settings and the `cert info` result.

import { certSettings, type CertSettings } from '../../core/config/node.ts';
import { loadNodeConfig } from '../../core/config/repo.ts';
import { certTargets, completeUnfinishedInstall, type CertTargets } from '../../core/cert/install.ts';
import { CERT_INFO_KEYS, certificateInfo, type CertInfo } from '../../core/cert/x509.ts';
import type { Result } from '../../core/output/render.ts';
import type { CommandEnv } from '../command.ts';

/** The node's certificate settings, after completing an install a crash interrupted (said in one line on stderr). */
export async function nodeCertSettings(env: CommandEnv): Promise<{ settings: CertSettings; targets: CertTargets }> {
  const settings = certSettings(loadNodeConfig(env.paths).config, { certFile: env.paths.defaultCertFile, keyFile: env.paths.defaultCertKeyFile });
  const targets = certTargets(settings, env.paths);
  await recoverInstall(env, targets);
  return { settings, targets };
}

export async function recoverInstall(env: CommandEnv, targets: CertTargets): Promise<void> {
  const done = await completeUnfinishedInstall(targets);
  if (done !== undefined) env.ctx.io.stderr.write(`certnode: ${done}\n`);
}

/** One key/value table per certificate; text shows dates as local `YYYY-MM-DD HH:MM:SS`, json as epoch. */
export function certInfoResult(infos: readonly CertInfo[], env: CommandEnv): Result {
  if (env.globals.outputFormat !== 'text') return { kind: 'objects', data: infos.map((info) => ({ ...info })), keys: CERT_INFO_KEYS };
  const data = infos.map((info) => ({ ...info, notbefore: localTime(info.notbefore), notafter: localTime(info.notafter) }));
  return { kind: 'objects', data, keys: CERT_INFO_KEYS };
}

export function installedInfo(chain: string | undefined, filename: string): CertInfo[] {
  return chain === undefined ? [] : [certificateInfo(chain, filename)];
}

export function localTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// certnode cert update [--force]: the node's default self-signed certificate (PBS's `cert update`).

import { parseBoolean } from '../../core/config/formats.ts';
import { localHostNames } from '../../core/cert/hostnames.ts';
import { proxmoxFallback } from '../../core/cert/install.ts';
import { installSelfSigned } from '../../core/cert/selfsigned.ts';
import { CliError } from '../../core/errors.ts';
import { stepLog } from '../../core/output/tasklog.ts';
import type { LeafCommand } from '../command.ts';
import { certInfoResult, installedInfo, nodeCertSettings } from './shared.ts';

export const command: LeafCommand<{ force: boolean }> = {
  parse(_args, raw) {
    return { force: raw.force === undefined ? false : parseBoolean(raw.force, 'force') };
  },
  async run(env, opts) {
    const { settings, targets } = await nodeCertSettings(env);
    const fallback = proxmoxFallback(env.paths, targets);
    if (fallback !== undefined) {
      throw new CliError(`in the pve layout pveproxy serves PVE's own ${fallback} (signed by the cluster CA) when there is no ${targets.certFile}: certnode makes no self-signed one ('pvecm updatecerts' renews PVE's)`);
    }
    const outcome = await installSelfSigned(targets, {
      keyType: settings.keyType,
      names: await localHostNames(),
      now: env.ctx.now(),
      backup: true,
      // Like PBS: only when the pair is missing, or forced (which also replaces an ACME certificate).
      when: (current) => opts.force || current.chain === undefined || current.key === undefined,
    });
    const result = certInfoResult(installedInfo(outcome.pair.chain, targets.certFile), env);
    if (outcome.installed) {
      stepLog(env).info('Created a self-signed certificate');
      return result;
    }
    const data = result.kind === 'objects' ? result.data : [];
    return { kind: 'text', text: `Certificate files exist, nothing to do (use --force to replace them).\n`, data };
  },
};

// certnode cert delete [--restart]

import { parseBoolean } from '../../core/config/formats.ts';
import { localHostNames } from '../../core/cert/hostnames.ts';
import { hasBackup, proxmoxFallback, removeInstalledPair } from '../../core/cert/install.ts';
import { installSelfSigned } from '../../core/cert/selfsigned.ts';
import { stepLog } from '../../core/output/tasklog.ts';
import type { LeafCommand } from '../command.ts';
import { reloadAfterInstall, requireReloadCommand } from './reload.ts';
import { nodeCertSettings } from './shared.ts';

export const command: LeafCommand<{ restart: boolean }> = {
  parse(_args, raw) {
    return { restart: raw.restart === undefined ? false : parseBoolean(raw.restart, 'restart') };
  },
  async run(env, opts) {
    const { settings, targets } = await nodeCertSettings(env);
    if (opts.restart) requireReloadCommand(settings);
    const log = stepLog(env);
    log.info('Deleting custom certificate files');
    const fallback = proxmoxFallback(env.paths, targets);
    if (fallback !== undefined) {
      // pvenode's way: the pair goes, pveproxy serves PVE's own certificate
      if (await removeInstalledPair(targets)) log.info(`pveproxy falls back to PVE's own ${fallback}`);
      if (opts.restart) await reloadAfterInstall(env, settings, log);
      return { kind: 'none' };
    }
    // The custom pair and its backup go; a fresh self-signed pair takes their place so a service
    // pointed at the installed paths always finds a certificate. Already self-signed: nothing to do.
    const outcome = await installSelfSigned(targets, {
      keyType: settings.keyType,
      names: await localHostNames(),
      now: env.ctx.now(),
      backup: false,
      when: (current) => current.source !== 'self-signed' || current.key === undefined || hasBackup(targets),
    });
    if (outcome.installed) log.info('Installed a self-signed certificate');
    if (opts.restart) await reloadAfterInstall(env, settings, log);
    return { kind: 'none' };
  },
};

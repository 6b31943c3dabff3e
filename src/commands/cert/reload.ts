// `--restart` for the cert commands: run the node's reload command, its output into the step log.

import type { CertSettings } from '../../core/config/node.ts';
import { runReloadCommand } from '../../core/cert/reload.ts';
import { CliError } from '../../core/errors.ts';
import type { TaskLog } from '../../core/output/tasklog.ts';
import type { CommandEnv } from '../command.ts';

/** Checked before anything is installed, so --restart never fails half-way for a missing setting. */
export function requireReloadCommand(settings: CertSettings): string {
  if (settings.reloadCommand === undefined) {
    throw new CliError("--restart needs a reload command - set one with 'certnode config set --reload-command <command>'");
  }
  return settings.reloadCommand;
}

export async function reloadAfterInstall(env: CommandEnv, settings: CertSettings, log: TaskLog): Promise<void> {
  const command = requireReloadCommand(settings);
  log.info(`Running reload command: ${command}`);
  await runReloadCommand(command, { env: env.ctx.env, certFile: settings.certFile, keyFile: settings.keyFile, log });
}

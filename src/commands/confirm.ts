// Confirmation before a step that cannot be undone (deactivating the account in use, revoking):
// asked on a terminal only, skipped by --yes; without a terminal the command goes on, as pvenode's.

import { CliError } from '../core/errors.ts';
import { createPrompter } from '../core/prompt.ts';
import type { CommandEnv } from './command.ts';

/** Ask `question` (y/N) on a terminal unless `yes`; a "no" is an error (exit 255) with nothing changed. */
export async function confirmOnTerminal(env: CommandEnv, question: string, yes: boolean): Promise<void> {
  const { io } = env.ctx;
  if (yes || !io.isStdinTTY || !io.isStdoutTTY) return;
  const prompter = createPrompter(env.ctx);
  try {
    if (await prompter.confirm({ text: `${question} [y|N]: `, flag: '--yes', required: true })) return;
  } finally {
    prompter.close();
  }
  throw new CliError('aborted, nothing was changed (--yes skips this question)');
}

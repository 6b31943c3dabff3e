// On a terminal, `plugin add dns` without --data asks for the fields the script's info block names
// (secrets hidden), through the one terminal prompter (Ctrl-C is an interruption, ASCII under LANG=C).

import { readApiInfo, type ApiField } from '../../../core/challenge/dnsapi-scripts.ts';
import { createPrompter } from '../../../core/prompt.ts';
import type { CommandEnv } from '../../command.ts';

const SECRET_NAME = /(token|key|secret|pass|pw|auth|credential|cookie)/i;

export function canPrompt(env: CommandEnv): boolean {
  return env.ctx.io.isStdinTTY && env.ctx.io.isStdoutTTY;
}

/** KEY=VALUE lines from the answers, or undefined when nothing was entered. */
export async function promptPluginData(env: CommandEnv, api: string, script: string): Promise<string | undefined> {
  const info = readApiInfo({ api, script });
  const documented = info.fields.filter((f) => f.group !== 'code');
  let fields: ApiField[] = documented.length ? documented : info.fields;
  if (fields.length === 0) return undefined;
  const prompter = createPrompter(env.ctx);
  const main = fields.filter((f) => f.group === 'Options');
  const alt = fields.filter((f) => f.group === 'OptionsAlt');
  if (main.length && alt.length) {
    const label = (title: string | undefined, list: ApiField[]): string => `${title ?? list.map((f) => f.name).join(' + ')}`;
    const choice = await prompter.menu({ text: `${info.name}: which credentials?`, flag: '--data' }, [
      { label: label(info.optionsTitle, main), value: 'Options' },
      { label: label(info.optionsAltTitle, alt), value: 'OptionsAlt' },
    ]);
    fields = fields.filter((f) => f.group === choice || (f.group !== 'Options' && f.group !== 'OptionsAlt'));
  }
  const lines: string[] = [];
  for (const field of fields) {
    const hints = [field.optional ? 'optional' : '', field.default !== undefined ? `default ${field.default}` : ''].filter(Boolean).join(', ');
    const message = `${field.name}${hints ? ` (${hints})` : ''}${field.description ? ` - ${field.description}` : ''}`;
    const value = await prompter.input({ text: message, flag: '--data', secret: SECRET_NAME.test(field.name), optional: field.optional });
    if (value !== '') lines.push(`${field.name}=${value}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : undefined;
}

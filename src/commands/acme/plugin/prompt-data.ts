// On a terminal, `plugin add dns` without --data asks for the fields the script's info block names
// (secrets hidden). @inquirer/prompts is loaded only here, only then.

import { readApiInfo, type ApiField } from '../../../core/challenge/dnsapi-scripts.ts';
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
  const { input, password, select } = await import('@inquirer/prompts');
  const context = { input: env.ctx.io.stdin, output: env.ctx.io.stdout };
  const main = fields.filter((f) => f.group === 'Options');
  const alt = fields.filter((f) => f.group === 'OptionsAlt');
  if (main.length && alt.length) {
    const label = (title: string | undefined, list: ApiField[]): string => `${title ?? list.map((f) => f.name).join(' + ')}`;
    const choice = await select(
      {
        message: `${info.name}: which credentials?`,
        choices: [
          { name: label(info.optionsTitle, main), value: 'Options' },
          { name: label(info.optionsAltTitle, alt), value: 'OptionsAlt' },
        ],
      },
      context,
    );
    fields = fields.filter((f) => f.group === choice || (f.group !== 'Options' && f.group !== 'OptionsAlt'));
  }
  const lines: string[] = [];
  for (const field of fields) {
    const hints = [field.optional ? 'optional' : '', field.default !== undefined ? `default ${field.default}` : ''].filter(Boolean).join(', ');
    const message = `${field.name}${hints ? ` (${hints})` : ''}${field.description ? ` - ${field.description}` : ''}`;
    const required = !field.optional;
    const value = SECRET_NAME.test(field.name)
      ? await password({ message, mask: '*', validate: (v: string) => !required || v !== '' || 'required' }, context)
      : await input({ message, required }, context);
    if (value !== '') lines.push(`${field.name}=${value}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : undefined;
}

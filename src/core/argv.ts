// pvenode habits, applied to argv before commander sees it (pure; reference §0.1):
//   -force            -> --force            (single-dash long options)
//   --force / --force 1 / --force=no  -> --force=true / --force=false   (booleans take optional values)
//   acme plug li      -> acme plugin list   (unique prefixes of subcommand names)

import { UsageError } from './errors.ts';
import { isBooleanWord, parseBoolean } from './config/formats.ts';

export interface OptionNode {
  long: string | undefined; // e.g. "--force"
  short: string | undefined; // e.g. "-h"
  takesValue: boolean;
  isBoolean: boolean;
}

export interface CommandNode {
  name: string;
  aliases: readonly string[];
  subcommands: readonly CommandNode[];
  options: readonly OptionNode[];
}

export function normalizeArgv(argv: readonly string[], root: CommandNode): string[] {
  return normalizeFrom(argv, [root]);
}

function normalizeFrom(argv: readonly string[], start: readonly CommandNode[]): string[] {
  const out: string[] = [];
  const path: CommandNode[] = [...start];
  let current = path.at(-1)!;
  let positionalOnly = false;
  for (let i = 0; i < argv.length; i++) {
    let token = argv[i]!;
    if (positionalOnly) {
      out.push(token);
      continue;
    }
    if (token === '--') {
      positionalOnly = true;
      out.push(token);
      continue;
    }
    if (/^-[A-Za-z][A-Za-z0-9_-]+(=.*)?$/s.test(token)) token = `-${token}`; // -force -> --force
    if (token.startsWith('--')) {
      const eq = token.indexOf('=');
      const name = eq === -1 ? token : token.slice(0, eq);
      const inline = eq === -1 ? undefined : token.slice(eq + 1);
      const option = findOption(path, name);
      if (option?.isBoolean) {
        let value = inline;
        if (value === undefined && i + 1 < argv.length && isBooleanWord(argv[i + 1]!)) value = argv[++i];
        const flag = value === undefined ? true : parseBoolean(value, name.slice(2));
        out.push(`${name}=${flag}`);
        continue;
      }
      out.push(token);
      if (option?.takesValue && inline === undefined && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    if (token.startsWith('-') && token.length > 1) {
      out.push(token);
      const option = findOption(path, token);
      if (option?.takesValue && i + 1 < argv.length) out.push(argv[++i]!);
      continue;
    }
    if (current.subcommands.length > 0) {
      if (token === 'help' && i + 1 < argv.length && !current.subcommands.some((s) => s.name !== 'help' && s.name.startsWith('help'))) {
        // `help acme plugin` -> `acme plugin --help` (commander's help command takes one name only);
        // `help nosuch` -> `nosuch`, so it fails as an unknown command instead of showing the top help
        const rest = argv.slice(i + 1);
        out.push(...normalizeFrom(rest, path));
        if (namesCommands(rest, current, path)) out.push('--help');
        return out;
      }
      const sub = resolveSubcommand(current, token, path);
      if (sub) {
        out.push(sub.name);
        path.push(sub);
        current = sub;
        continue;
      }
    }
    out.push(token);
  }
  return out;
}

/** Whether the words after `help` name a command (options aside). */
function namesCommands(words: readonly string[], from: CommandNode, path: readonly CommandNode[]): boolean {
  let current = from;
  for (const word of words) {
    if (word.startsWith('-')) continue;
    const sub = current.subcommands.length > 0 ? resolveSubcommand(current, word, path) : undefined;
    if (!sub) return false;
    current = sub;
  }
  return true;
}

function findOption(path: readonly CommandNode[], name: string): OptionNode | undefined {
  for (let k = path.length - 1; k >= 0; k--) {
    const found = path[k]!.options.find((o) => o.long === name || o.short === name);
    if (found) return found;
  }
  return undefined;
}

function resolveSubcommand(cmd: CommandNode, token: string, path: readonly CommandNode[]): CommandNode | undefined {
  const exact = cmd.subcommands.find((s) => s.name === token || s.aliases.includes(token));
  if (exact) return exact;
  const matches = cmd.subcommands.filter((s) => s.name.startsWith(token));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    const where = path.map((c) => c.name).join(' ');
    throw new UsageError(`ambiguous command '${where} ${token}' - could be ${matches.map((m) => m.name).join(', ')}`);
  }
  return undefined;
}

// share/completion/certnode.bash, generated from the live command tree (npm run man) so it never drifts.

import type { Command } from 'commander';

/** Options whose value is a path: complete file names after them. */
const PATH_OPTIONS = new Set(['--config-dir', '--data', '--cert-file', '--cert-key-file', '--dnsapi-dir']);
/** Options with a fixed set of values. */
const VALUE_CHOICES: Record<string, string> = {
  '--output-format': 'text json json-pretty',
  '--type': 'dns standalone',
  '--key-type': 'ec-256 ec-384 rsa-2048 rsa-3072 rsa-4096',
  '--propagation': 'check sleep',
  '--reason': 'unspecified keyCompromise affiliationChanged superseded cessationOfOperation',
};

function walk(cmd: Command, path: string[], out: { path: string; subs: string[]; opts: string[]; fileArgs: boolean }[]): void {
  const subs = cmd.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const opts = cmd.options.filter((o) => !o.hidden && o.long).map((o) => o.long!);
  // positional file arguments: cert set <certificates-file> [<key-file>]
  const fileArgs = cmd.registeredArguments.some((a) => /file/.test(a.name()));
  out.push({ path: path.join(' '), subs, opts, fileArgs });
  for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...path, sub.name()], out);
}

export function generateBashCompletion(program: Command): string {
  const entries: { path: string; subs: string[]; opts: string[]; fileArgs: boolean }[] = [];
  walk(program, [], entries);
  const globals = program.options.filter((o) => o.long).map((o) => o.long!);
  const q = (s: string): string => `'${s}'`;
  let out = '# bash completion for certnode - generated from the command tree (npm run man); do not edit.\n';
  out += '# Install: copy to /usr/share/bash-completion/completions/certnode (or source it).\n\n';
  out += '_certnode_subs() {\n  case "$1" in\n';
  for (const e of entries) if (e.subs.length) out += `    ${q(e.path)}) echo ${q(e.subs.join(' '))} ;;\n`;
  out += '  esac\n}\n\n';
  out += '_certnode_opts() {\n  case "$1" in\n';
  for (const e of entries) out += `    ${q(e.path)}) echo ${q([...e.opts, ...(e.path === '' ? [] : globals)].join(' '))} ;;\n`;
  out += '  esac\n}\n\n';
  out += '_certnode_file_args() {\n  case "$1" in\n';
  for (const e of entries) if (e.fileArgs) out += `    ${q(e.path)}) return 0 ;;\n`;
  out += '  esac\n  return 1\n}\n\n';
  out += `_certnode() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path='' i w subs
  COMPREPLY=()
  case "$prev" in
${[...PATH_OPTIONS].map((o) => `    ${o}) COMPREPLY=($(compgen -f -- "$cur")); return ;;`).join('\n')}
${Object.entries(VALUE_CHOICES).map(([o, v]) => `    ${o}) COMPREPLY=($(compgen -W ${q(v)} -- "$cur")); return ;;`).join('\n')}
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    subs=$(_certnode_subs "$path")
    [[ " $subs " == *" $w "* ]] && path=\${path:+$path }$w
  done
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_certnode_opts "$path")" -- "$cur"))
  elif subs=$(_certnode_subs "$path"); [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  elif _certnode_file_args "$path"; then
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -F _certnode certnode
`;
  return out;
}

// share/completion/certnode.bash, generated from the live command tree (npm run man) so it never drifts.
// What a word completes to is decided from the tree's own names, so commands added later complete
// too: an argument called <id> is a plugin id, [name] an account, [api] a DNS API, a *file* argument
// a path. Plugin ids, account names, APIs and node keys are read from the config dir (--config-dir,
// CERTNODE_CONFIG_DIR or /etc/certnode) when the user presses Tab.

import type { Argument, Command, Option } from 'commander';
import { KNOWN_DIRECTORIES } from './core/acme/directories.ts';
import { KEY_TYPES } from './core/acme/keys.ts';
import { REVOCATION_REASONS } from './core/acme/certificate.ts';
import { PLUGIN_PROPERTIES, PLUGIN_TYPES, PROPAGATION_MODES } from './core/config/plugins.ts';
import { OUTPUT_FORMATS } from './core/output/render.ts';
import { LAYOUTS } from './core/paths.ts';

/** What a word completes to; `words:` lists fixed choices. */
type Kind = 'file' | 'dir' | 'plugin-id' | 'account' | 'api' | 'node-key' | 'none' | `words:${string}`;

const words = (list: readonly string[]): Kind => `words:${list.join(' ')}`;

/** Values of options, by option name (the same name means the same thing on every command). */
const OPTION_VALUES: Record<string, Kind> = {
  '--config-dir': 'dir',
  '--dnsapi-dir': 'dir',
  '--data': 'file',
  '--cert-file': 'file',
  '--cert-key-file': 'file',
  '--output-format': words(OUTPUT_FORMATS),
  '--layout': words(LAYOUTS),
  '--type': words(PLUGIN_TYPES),
  '--key-type': words(KEY_TYPES),
  '--propagation': words(PROPAGATION_MODES),
  '--reason': words(Object.keys(REVOCATION_REASONS)),
  '--directory': words(KNOWN_DIRECTORIES.map((d) => d.id)),
  '--api': 'api',
  '--property': 'node-key',
};

function optionValueKind(cmdPath: string, option: Option): Kind {
  if (option.long === '--delete') {
    return cmdPath.startsWith('acme plugin') ? words([...new Set(Object.values(PLUGIN_PROPERTIES).flat())].filter((k) => k !== 'api')) : 'node-key';
  }
  return OPTION_VALUES[option.long ?? ''] ?? 'none';
}

function argumentKind(cmdPath: string, arg: Argument): Kind {
  const name = arg.name();
  if (/file/.test(name)) return 'file';
  if (name === 'type' && cmdPath.startsWith('acme plugin')) return words(PLUGIN_TYPES);
  if (name === 'id' && cmdPath.startsWith('acme plugin') && !cmdPath.endsWith(' add')) return 'plugin-id';
  if (name === 'name' && cmdPath.startsWith('acme account') && !cmdPath.endsWith(' register')) return 'account';
  if (name === 'api') return 'api';
  return 'none';
}

interface Entry {
  path: string;
  subs: string[];
  opts: string[];
  args: Kind[];
}

function walk(cmd: Command, path: string[], out: Entry[], valued: Map<string, Kind>): void {
  const cmdPath = path.join(' ');
  const subs = cmd.commands.map((c) => c.name()).filter((n) => n !== 'help');
  const visible = cmd.options.filter((o) => o.long && !o.hidden);
  for (const o of cmd.options) {
    if (o.long && (o.required || o.optional) && !o.flags.includes('[<bool>]')) valued.set(`${cmdPath}|${o.long}`, optionValueKind(cmdPath, o));
  }
  out.push({ path: cmdPath, subs, opts: visible.map((o) => o.long!), args: cmd.registeredArguments.map((a) => argumentKind(cmdPath, a)) });
  for (const sub of cmd.commands) if (sub.name() !== 'help') walk(sub, [...path, sub.name()], out, valued);
}

export function generateBashCompletion(program: Command): string {
  const entries: Entry[] = [];
  const valued = new Map<string, Kind>();
  walk(program, [], entries, valued);
  const globals = program.options.filter((o) => o.long).map((o) => o.long!);
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  // options that take a value, wherever they are defined: their value is not a positional word
  const valueOptions = [...new Set([...valued.keys()].map((k) => k.split('|')[1]!))].sort();
  let out = '# bash completion for certnode - generated from the command tree (npm run man); do not edit.\n';
  out += '# Install: copy to /usr/share/bash-completion/completions/certnode (or source it).\n\n';
  out += '_certnode_subs() {\n  case "$1" in\n';
  for (const e of entries) if (e.subs.length) out += `    ${q(e.path)}) echo ${q(e.subs.join(' '))} ;;\n`;
  out += '  esac\n}\n\n';
  out += '_certnode_opts() {\n  case "$1" in\n';
  for (const e of entries) out += `    ${q(e.path)}) echo ${q([...e.opts, ...(e.path === '' ? [] : globals)].join(' '))} ;;\n`;
  out += '  esac\n}\n\n';
  out += '# the kinds of a command\'s positional arguments, in order\n_certnode_args() {\n  case "$1" in\n';
  for (const e of entries) if (e.args.length) out += `    ${q(e.path)}) echo ${q(e.args.map((k) => k.replace(/ /g, ',')).join(' '))} ;;\n`;
  out += '  esac\n}\n\n';
  out += '# the kind of an option\'s value (options are looked up on the command, then globally)\n_certnode_optval() {\n  case "$1|$2" in\n';
  for (const [key, kind] of valued) {
    const [path, option] = key.split('|') as [string, string];
    out += `    ${q(path === '' ? `*|${option}` : `${path}|${option}`)}) echo ${q(kind.replace(/ /g, ','))} ;;\n`;
  }
  out += '    *) return 1 ;;\n  esac\n}\n\n';
  out += `_certnode_takes_value() {
  case "$1" in
    ${valueOptions.join('|')}) return 0 ;;
  esac
  return 1
}

# the config dir the command line names (--config-dir), else CERTNODE_CONFIG_DIR, else /etc/certnode
_certnode_config_dir() {
  local i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == --config-dir || $w == -config-dir ]]; then printf '%s\\n' "\${COMP_WORDS[i+1]}"; return; fi
    if [[ $w == --config-dir=* ]]; then printf '%s\\n' "\${w#--config-dir=}"; return; fi
  done
  printf '%s\\n' "\${CERTNODE_CONFIG_DIR:-/etc/certnode}"
}

# the node the command line names (--node), else CERTNODE_NODE, else the short host name
_certnode_node() {
  local i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == --node || $w == -node ]]; then printf '%s\\n' "\${COMP_WORDS[i+1]}"; return; fi
    if [[ $w == --node=* ]]; then printf '%s\\n' "\${w#--node=}"; return; fi
  done
  local host=\${CERTNODE_NODE:-$(hostname 2>/dev/null)}
  printf '%s\\n' "\${host%%.*}"
}

# the node's settings files in every layout: node.cfg (single host, pbs), nodes/<node>/node.cfg
# (cluster tree), nodes/<node>/config (pve), and certnode's side files
_certnode_node_files() {
  local dir=$1 node
  node=$(_certnode_node)
  printf '%s\\n' "$dir/node.cfg" "$dir/certnode.cfg" "$dir/nodes/$node/node.cfg" "$dir/nodes/$node/config" "$dir/nodes/$node/certnode.cfg"
}

_certnode_complete_kind() {
  local kind=$1 cur=$2 dir f list=()
  case $kind in
    file)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dir)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    plugin-id)
      dir=$(_certnode_config_dir)
      list=($( { echo standalone; sed -n 's/^[A-Za-z0-9_-]*:[[:space:]]*\\([A-Za-z0-9_.-]*\\)[[:space:]]*$/\\1/p' "$dir/acme/plugins.cfg" "$dir/priv/acme/plugins.cfg" 2>/dev/null; } | sort -u))
      mapfile -t COMPREPLY < <(compgen -W "\${list[*]}" -- "$cur") ;;
    account)
      dir=$(_certnode_config_dir)
      for f in "$dir"/acme/accounts/* "$dir"/priv/acme/*; do
        [[ -f $f ]] || continue
        f=\${f##*/}
        [[ $f =~ ^[A-Za-z][A-Za-z0-9_-]+$ ]] && list+=("$f") # a config id, as certnode reads them
      done
      mapfile -t COMPREPLY < <(compgen -W "\${list[*]}" -- "$cur") ;;
    api)
      dir=$(_certnode_config_dir)
      local dirs=("\${CERTNODE_DNSAPI_DIR:-}" $(_certnode_node_files "$dir" | xargs -d '\\n' sed -n 's/^dnsapi-dir:[[:space:]]*//p' 2>/dev/null) /usr/share/proxmox-acme/dnsapi /root/.acme.sh/dnsapi "$HOME/.acme.sh/dnsapi" /usr/share/acme.sh/dnsapi /usr/lib/acme.sh/dnsapi)
      for dir in "\${dirs[@]}"; do
        [[ -n $dir && -d $dir ]] || continue
        for f in "$dir"/dns_*.sh; do
          [[ -f $f ]] || continue
          f=\${f##*/dns_}
          list+=("\${f%.sh}")
        done
      done
      mapfile -t COMPREPLY < <(compgen -W "\${list[*]}" -- "$cur") ;;
    node-key)
      dir=$(_certnode_config_dir)
      mapfile -t f < <(_certnode_node_files "$dir")
      list=($(sed -n 's/^\\([a-z][a-z0-9-]*\\):.*/\\1/p' "\${f[@]}" 2>/dev/null | sort -u))
      grep -q '^#' "\${f[@]}" 2>/dev/null && list+=(description)
      mapfile -t COMPREPLY < <(compgen -W "\${list[*]}" -- "$cur") ;;
    words:*)
      mapfile -t COMPREPLY < <(compgen -W "\${kind#words:}" -- "$cur") ;;
  esac
}

_certnode() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path='' i w subs kind kinds npos=0
  COMPREPLY=()
  # the command path and how many positional words follow it
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      [[ $w == -[!-]* ]] && w=-$w # pvenode's -option
      [[ $w != *=* ]] && _certnode_takes_value "$w" && ((i++))
      continue
    fi
    subs=$(_certnode_subs "$path")
    if [[ -n $subs ]]; then
      # an exact name, or a unique prefix (certnode acme plug li)
      local s m=()
      for s in $subs; do
        if [[ $s == "$w" ]]; then m=("$s"); break; fi
        [[ $s == "$w"* ]] && m+=("$s")
      done
      if ((\${#m[@]} == 1)); then path=\${path:+$path }\${m[0]}; continue; fi
    fi
    ((npos++))
  done
  [[ $prev == -[!-]* ]] && prev=-$prev
  if [[ $prev == -* && $prev != *=* ]]; then
    kind=$(_certnode_optval "$path" "$prev" || _certnode_optval '*' "$prev") && { _certnode_complete_kind "\${kind//,/ }" "$cur"; return; }
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_certnode_opts "$path")" -- "$cur")
  elif subs=$(_certnode_subs "$path"); [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    read -ra kinds <<< "$(_certnode_args "$path")"
    kind=\${kinds[npos]:-none}
    _certnode_complete_kind "\${kind//,/ }" "$cur"
  fi
}
complete -F _certnode certnode
`;
  return out;
}

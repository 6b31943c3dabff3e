# bash completion for certnode - generated from the command tree (npm run man); do not edit.
# Install: copy to /usr/share/bash-completion/completions/certnode (or source it).

_certnode_subs() {
  case "$1" in
    '') echo 'acme cert config' ;;
    'acme') echo 'account directories cert plugin' ;;
    'acme account') echo 'list register info update rollover deactivate' ;;
    'acme cert') echo 'persist-record order renew revoke' ;;
    'acme plugin') echo 'list config add set remove test apis' ;;
    'cert') echo 'info set delete update' ;;
    'config') echo 'get set' ;;
  esac
}

_certnode_opts() {
  case "$1" in
    '') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account list') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account register') echo '--directory --agree-tos --eab-kid --eab-hmac-key-file --eab-hmac-key --key-type --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account info') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account update') echo '--contact --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account rollover') echo '--key-type --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme account deactivate') echo '--force --yes --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme directories') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme cert') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme cert persist-record') echo '--apply --remove --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme cert order') echo '--force --dry-run --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme cert renew') echo '--force --dry-run --check --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme cert revoke') echo '--reason --yes --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin list') echo '--type --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin config') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin add') echo '--api --data --validation-delay --propagation --disable --nodes --port --address --challenge --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin set') echo '--api --data --validation-delay --propagation --disable --nodes --port --address --challenge --delete --digest --side --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin remove') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin test') echo '--alias --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'acme plugin apis') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'cert') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'cert info') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'cert set') echo '--force --restart --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'cert delete') echo '--restart --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'cert update') echo '--force --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'config') echo '--version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'config get') echo '--property --side --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
    'config set') echo '--acme --acmedomain0 --cert-file --cert-key-file --reload-command --dnsapi-dir --notify-command --notify-mailto --notify-on --metrics-file --description --delete --digest --side --version --config-dir --layout --node --output-format --noborder --noheader --quiet' ;;
  esac
}

# the kinds of a command's positional arguments, in order
_certnode_args() {
  case "$1" in
    'acme account register') echo 'none none' ;;
    'acme account info') echo 'account' ;;
    'acme account update') echo 'account' ;;
    'acme account rollover') echo 'account' ;;
    'acme account deactivate') echo 'account' ;;
    'acme cert persist-record') echo 'none' ;;
    'acme plugin config') echo 'plugin-id' ;;
    'acme plugin add') echo 'words:dns,standalone none' ;;
    'acme plugin set') echo 'plugin-id' ;;
    'acme plugin remove') echo 'plugin-id' ;;
    'acme plugin test') echo 'plugin-id none' ;;
    'acme plugin apis') echo 'api' ;;
    'cert set') echo 'file file' ;;
  esac
}

# the kind of an option's value (options are looked up on the command, then globally)
_certnode_optval() {
  case "$1|$2" in
    '*|--config-dir') echo 'dir' ;;
    '*|--layout') echo 'words:certnode,pve,pbs' ;;
    '*|--node') echo 'none' ;;
    '*|--output-format') echo 'words:text,json,json-pretty' ;;
    'acme account register|--directory') echo 'words:letsencrypt,letsencrypt-staging,zerossl,google,google-staging' ;;
    'acme account register|--eab-kid') echo 'none' ;;
    'acme account register|--eab-hmac-key-file') echo 'none' ;;
    'acme account register|--eab-hmac-key') echo 'none' ;;
    'acme account register|--key-type') echo 'words:ec-256,ec-384,rsa-2048,rsa-3072,rsa-4096' ;;
    'acme account update|--contact') echo 'none' ;;
    'acme account rollover|--key-type') echo 'words:ec-256,ec-384,rsa-2048,rsa-3072,rsa-4096' ;;
    'acme cert revoke|--reason') echo 'words:unspecified,keyCompromise,affiliationChanged,superseded,cessationOfOperation' ;;
    'acme plugin list|--type') echo 'words:dns,standalone' ;;
    'acme plugin add|--api') echo 'api' ;;
    'acme plugin add|--data') echo 'file' ;;
    'acme plugin add|--validation-delay') echo 'none' ;;
    'acme plugin add|--propagation') echo 'words:check,sleep' ;;
    'acme plugin add|--nodes') echo 'none' ;;
    'acme plugin add|--port') echo 'none' ;;
    'acme plugin add|--address') echo 'none' ;;
    'acme plugin add|--challenge') echo 'none' ;;
    'acme plugin set|--api') echo 'api' ;;
    'acme plugin set|--data') echo 'file' ;;
    'acme plugin set|--validation-delay') echo 'none' ;;
    'acme plugin set|--propagation') echo 'words:check,sleep' ;;
    'acme plugin set|--nodes') echo 'none' ;;
    'acme plugin set|--port') echo 'none' ;;
    'acme plugin set|--address') echo 'none' ;;
    'acme plugin set|--challenge') echo 'none' ;;
    'acme plugin set|--delete') echo 'words:data,disable,nodes,propagation,validation-delay,address,challenge,port' ;;
    'acme plugin set|--digest') echo 'none' ;;
    'acme plugin test|--alias') echo 'none' ;;
    'config get|--property') echo 'node-key' ;;
    'config set|--acme') echo 'none' ;;
    'config set|--acmedomain0') echo 'none' ;;
    'config set|--acmedomain1') echo 'none' ;;
    'config set|--acmedomain2') echo 'none' ;;
    'config set|--acmedomain3') echo 'none' ;;
    'config set|--acmedomain4') echo 'none' ;;
    'config set|--acmedomain5') echo 'none' ;;
    'config set|--acmedomain6') echo 'none' ;;
    'config set|--acmedomain7') echo 'none' ;;
    'config set|--acmedomain8') echo 'none' ;;
    'config set|--acmedomain9') echo 'none' ;;
    'config set|--acmedomain10') echo 'none' ;;
    'config set|--acmedomain11') echo 'none' ;;
    'config set|--acmedomain12') echo 'none' ;;
    'config set|--acmedomain13') echo 'none' ;;
    'config set|--acmedomain14') echo 'none' ;;
    'config set|--acmedomain15') echo 'none' ;;
    'config set|--acmedomain16') echo 'none' ;;
    'config set|--acmedomain17') echo 'none' ;;
    'config set|--acmedomain18') echo 'none' ;;
    'config set|--acmedomain19') echo 'none' ;;
    'config set|--acmedomain20') echo 'none' ;;
    'config set|--acmedomain21') echo 'none' ;;
    'config set|--acmedomain22') echo 'none' ;;
    'config set|--acmedomain23') echo 'none' ;;
    'config set|--acmedomain24') echo 'none' ;;
    'config set|--acmedomain25') echo 'none' ;;
    'config set|--acmedomain26') echo 'none' ;;
    'config set|--acmedomain27') echo 'none' ;;
    'config set|--acmedomain28') echo 'none' ;;
    'config set|--acmedomain29') echo 'none' ;;
    'config set|--acmedomain30') echo 'none' ;;
    'config set|--acmedomain31') echo 'none' ;;
    'config set|--acmedomain32') echo 'none' ;;
    'config set|--acmedomain33') echo 'none' ;;
    'config set|--acmedomain34') echo 'none' ;;
    'config set|--acmedomain35') echo 'none' ;;
    'config set|--acmedomain36') echo 'none' ;;
    'config set|--acmedomain37') echo 'none' ;;
    'config set|--acmedomain38') echo 'none' ;;
    'config set|--acmedomain39') echo 'none' ;;
    'config set|--acmedomain40') echo 'none' ;;
    'config set|--acmedomain41') echo 'none' ;;
    'config set|--acmedomain42') echo 'none' ;;
    'config set|--acmedomain43') echo 'none' ;;
    'config set|--acmedomain44') echo 'none' ;;
    'config set|--acmedomain45') echo 'none' ;;
    'config set|--acmedomain46') echo 'none' ;;
    'config set|--acmedomain47') echo 'none' ;;
    'config set|--acmedomain48') echo 'none' ;;
    'config set|--acmedomain49') echo 'none' ;;
    'config set|--acmedomain50') echo 'none' ;;
    'config set|--acmedomain51') echo 'none' ;;
    'config set|--acmedomain52') echo 'none' ;;
    'config set|--acmedomain53') echo 'none' ;;
    'config set|--acmedomain54') echo 'none' ;;
    'config set|--acmedomain55') echo 'none' ;;
    'config set|--acmedomain56') echo 'none' ;;
    'config set|--acmedomain57') echo 'none' ;;
    'config set|--acmedomain58') echo 'none' ;;
    'config set|--acmedomain59') echo 'none' ;;
    'config set|--acmedomain60') echo 'none' ;;
    'config set|--acmedomain61') echo 'none' ;;
    'config set|--acmedomain62') echo 'none' ;;
    'config set|--acmedomain63') echo 'none' ;;
    'config set|--acmedomain64') echo 'none' ;;
    'config set|--acmedomain65') echo 'none' ;;
    'config set|--acmedomain66') echo 'none' ;;
    'config set|--acmedomain67') echo 'none' ;;
    'config set|--acmedomain68') echo 'none' ;;
    'config set|--acmedomain69') echo 'none' ;;
    'config set|--acmedomain70') echo 'none' ;;
    'config set|--acmedomain71') echo 'none' ;;
    'config set|--acmedomain72') echo 'none' ;;
    'config set|--acmedomain73') echo 'none' ;;
    'config set|--acmedomain74') echo 'none' ;;
    'config set|--acmedomain75') echo 'none' ;;
    'config set|--acmedomain76') echo 'none' ;;
    'config set|--acmedomain77') echo 'none' ;;
    'config set|--acmedomain78') echo 'none' ;;
    'config set|--acmedomain79') echo 'none' ;;
    'config set|--acmedomain80') echo 'none' ;;
    'config set|--acmedomain81') echo 'none' ;;
    'config set|--acmedomain82') echo 'none' ;;
    'config set|--acmedomain83') echo 'none' ;;
    'config set|--acmedomain84') echo 'none' ;;
    'config set|--acmedomain85') echo 'none' ;;
    'config set|--acmedomain86') echo 'none' ;;
    'config set|--acmedomain87') echo 'none' ;;
    'config set|--acmedomain88') echo 'none' ;;
    'config set|--acmedomain89') echo 'none' ;;
    'config set|--acmedomain90') echo 'none' ;;
    'config set|--acmedomain91') echo 'none' ;;
    'config set|--acmedomain92') echo 'none' ;;
    'config set|--acmedomain93') echo 'none' ;;
    'config set|--acmedomain94') echo 'none' ;;
    'config set|--acmedomain95') echo 'none' ;;
    'config set|--acmedomain96') echo 'none' ;;
    'config set|--acmedomain97') echo 'none' ;;
    'config set|--acmedomain98') echo 'none' ;;
    'config set|--acmedomain99') echo 'none' ;;
    'config set|--cert-file') echo 'file' ;;
    'config set|--cert-key-file') echo 'file' ;;
    'config set|--reload-command') echo 'none' ;;
    'config set|--dnsapi-dir') echo 'dir' ;;
    'config set|--notify-command') echo 'none' ;;
    'config set|--notify-mailto') echo 'none' ;;
    'config set|--notify-on') echo 'none' ;;
    'config set|--metrics-file') echo 'none' ;;
    'config set|--description') echo 'none' ;;
    'config set|--delete') echo 'node-key' ;;
    'config set|--digest') echo 'none' ;;
    *) return 1 ;;
  esac
}

_certnode_takes_value() {
  case "$1" in
    --acme|--acmedomain0|--acmedomain1|--acmedomain10|--acmedomain11|--acmedomain12|--acmedomain13|--acmedomain14|--acmedomain15|--acmedomain16|--acmedomain17|--acmedomain18|--acmedomain19|--acmedomain2|--acmedomain20|--acmedomain21|--acmedomain22|--acmedomain23|--acmedomain24|--acmedomain25|--acmedomain26|--acmedomain27|--acmedomain28|--acmedomain29|--acmedomain3|--acmedomain30|--acmedomain31|--acmedomain32|--acmedomain33|--acmedomain34|--acmedomain35|--acmedomain36|--acmedomain37|--acmedomain38|--acmedomain39|--acmedomain4|--acmedomain40|--acmedomain41|--acmedomain42|--acmedomain43|--acmedomain44|--acmedomain45|--acmedomain46|--acmedomain47|--acmedomain48|--acmedomain49|--acmedomain5|--acmedomain50|--acmedomain51|--acmedomain52|--acmedomain53|--acmedomain54|--acmedomain55|--acmedomain56|--acmedomain57|--acmedomain58|--acmedomain59|--acmedomain6|--acmedomain60|--acmedomain61|--acmedomain62|--acmedomain63|--acmedomain64|--acmedomain65|--acmedomain66|--acmedomain67|--acmedomain68|--acmedomain69|--acmedomain7|--acmedomain70|--acmedomain71|--acmedomain72|--acmedomain73|--acmedomain74|--acmedomain75|--acmedomain76|--acmedomain77|--acmedomain78|--acmedomain79|--acmedomain8|--acmedomain80|--acmedomain81|--acmedomain82|--acmedomain83|--acmedomain84|--acmedomain85|--acmedomain86|--acmedomain87|--acmedomain88|--acmedomain89|--acmedomain9|--acmedomain90|--acmedomain91|--acmedomain92|--acmedomain93|--acmedomain94|--acmedomain95|--acmedomain96|--acmedomain97|--acmedomain98|--acmedomain99|--address|--alias|--api|--cert-file|--cert-key-file|--challenge|--config-dir|--contact|--data|--delete|--description|--digest|--directory|--dnsapi-dir|--eab-hmac-key|--eab-hmac-key-file|--eab-kid|--key-type|--layout|--metrics-file|--node|--nodes|--notify-command|--notify-mailto|--notify-on|--output-format|--port|--propagation|--property|--reason|--reload-command|--type|--validation-delay) return 0 ;;
  esac
  return 1
}

# the config dir the command line names (--config-dir), else CERTNODE_CONFIG_DIR, else /etc/certnode
_certnode_config_dir() {
  local i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == --config-dir || $w == -config-dir ]]; then printf '%s\n' "${COMP_WORDS[i+1]}"; return; fi
    if [[ $w == --config-dir=* ]]; then printf '%s\n' "${w#--config-dir=}"; return; fi
  done
  printf '%s\n' "${CERTNODE_CONFIG_DIR:-/etc/certnode}"
}

# the node the command line names (--node), else CERTNODE_NODE, else the short host name
_certnode_node() {
  local i w
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == --node || $w == -node ]]; then printf '%s\n' "${COMP_WORDS[i+1]}"; return; fi
    if [[ $w == --node=* ]]; then printf '%s\n' "${w#--node=}"; return; fi
  done
  local host=${CERTNODE_NODE:-$(hostname 2>/dev/null)}
  printf '%s\n' "${host%%.*}"
}

# the node's settings files in every layout: node.cfg (single host, pbs), nodes/<node>/node.cfg
# (cluster tree), nodes/<node>/config (pve), and certnode's side files
_certnode_node_files() {
  local dir=$1 node
  node=$(_certnode_node)
  printf '%s\n' "$dir/node.cfg" "$dir/certnode.cfg" "$dir/nodes/$node/node.cfg" "$dir/nodes/$node/config" "$dir/nodes/$node/certnode.cfg"
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
      list=($( { echo standalone; sed -n 's/^[A-Za-z0-9_-]*:[[:space:]]*\([A-Za-z0-9_.-]*\)[[:space:]]*$/\1/p' "$dir/acme/plugins.cfg" "$dir/priv/acme/plugins.cfg" 2>/dev/null; } | sort -u))
      mapfile -t COMPREPLY < <(compgen -W "${list[*]}" -- "$cur") ;;
    account)
      dir=$(_certnode_config_dir)
      for f in "$dir"/acme/accounts/* "$dir"/priv/acme/*; do
        [[ -f $f ]] || continue
        f=${f##*/}
        [[ $f =~ ^[A-Za-z][A-Za-z0-9_-]+$ ]] && list+=("$f") # a config id, as certnode reads them
      done
      mapfile -t COMPREPLY < <(compgen -W "${list[*]}" -- "$cur") ;;
    api)
      dir=$(_certnode_config_dir)
      local dirs=("${CERTNODE_DNSAPI_DIR:-}" $(_certnode_node_files "$dir" | xargs -d '\n' sed -n 's/^dnsapi-dir:[[:space:]]*//p' 2>/dev/null) /usr/share/proxmox-acme/dnsapi /root/.acme.sh/dnsapi "$HOME/.acme.sh/dnsapi" /usr/share/acme.sh/dnsapi /usr/lib/acme.sh/dnsapi)
      for dir in "${dirs[@]}"; do
        [[ -n $dir && -d $dir ]] || continue
        for f in "$dir"/dns_*.sh; do
          [[ -f $f ]] || continue
          f=${f##*/dns_}
          list+=("${f%.sh}")
        done
      done
      mapfile -t COMPREPLY < <(compgen -W "${list[*]}" -- "$cur") ;;
    node-key)
      dir=$(_certnode_config_dir)
      mapfile -t f < <(_certnode_node_files "$dir")
      list=($(sed -n 's/^\([a-z][a-z0-9-]*\):.*/\1/p' "${f[@]}" 2>/dev/null | sort -u))
      grep -q '^#' "${f[@]}" 2>/dev/null && list+=(description)
      mapfile -t COMPREPLY < <(compgen -W "${list[*]}" -- "$cur") ;;
    words:*)
      mapfile -t COMPREPLY < <(compgen -W "${kind#words:}" -- "$cur") ;;
  esac
}

_certnode() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path='' i w subs kind kinds npos=0
  COMPREPLY=()
  # the command path and how many positional words follow it
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
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
      if ((${#m[@]} == 1)); then path=${path:+$path }${m[0]}; continue; fi
    fi
    ((npos++))
  done
  [[ $prev == -[!-]* ]] && prev=-$prev
  if [[ $prev == -* && $prev != *=* ]]; then
    kind=$(_certnode_optval "$path" "$prev" || _certnode_optval '*' "$prev") && { _certnode_complete_kind "${kind//,/ }" "$cur"; return; }
  fi
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(_certnode_opts "$path")" -- "$cur")
  elif subs=$(_certnode_subs "$path"); [[ -n $subs ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur")
  else
    read -ra kinds <<< "$(_certnode_args "$path")"
    kind=${kinds[npos]:-none}
    _certnode_complete_kind "${kind//,/ }" "$cur"
  fi
}
complete -F _certnode certnode

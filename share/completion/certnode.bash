# bash completion for certnode - generated from the command tree (npm run man); do not edit.
# Install: copy to /usr/share/bash-completion/completions/certnode (or source it).

_certnode_subs() {
  case "$1" in
    '') echo 'acme cert config' ;;
    'acme') echo 'account directories cert plugin' ;;
    'acme account') echo 'list register info update deactivate' ;;
    'acme cert') echo 'order renew revoke' ;;
    'acme plugin') echo 'list config add set remove apis' ;;
    'cert') echo 'info set delete update' ;;
    'config') echo 'get set' ;;
  esac
}

_certnode_opts() {
  case "$1" in
    '') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme account') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme account list') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme account register') echo '--directory --agree-tos --eab-kid --eab-hmac-key-file --eab-hmac-key --key-type --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme account info') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme account update') echo '--contact --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme account deactivate') echo '--force --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme directories') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme cert') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme cert order') echo '--force --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme cert renew') echo '--force --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme cert revoke') echo '--reason --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin list') echo '--type --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin config') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin add') echo '--api --data --validation-delay --propagation --disable --nodes --port --address --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin set') echo '--api --data --validation-delay --propagation --disable --nodes --port --address --delete --digest --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin remove') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'acme plugin apis') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'cert') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'cert info') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'cert set') echo '--force --restart --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'cert delete') echo '--restart --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'cert update') echo '--force --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'config') echo '--version --config-dir --output-format --noborder --noheader --quiet' ;;
    'config get') echo '--property --version --config-dir --output-format --noborder --noheader --quiet' ;;
    'config set') echo '--acme --acmedomain0 --cert-file --cert-key-file --reload-command --dnsapi-dir --description --delete --digest --version --config-dir --output-format --noborder --noheader --quiet' ;;
  esac
}

_certnode_file_args() {
  case "$1" in
    'cert set') return 0 ;;
  esac
  return 1
}

_certnode() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} path='' i w subs
  COMPREPLY=()
  case "$prev" in
    --config-dir) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --data) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --cert-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --cert-key-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --dnsapi-dir) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --output-format) COMPREPLY=($(compgen -W 'text json json-pretty' -- "$cur")); return ;;
    --type) COMPREPLY=($(compgen -W 'dns standalone' -- "$cur")); return ;;
    --key-type) COMPREPLY=($(compgen -W 'ec-256 ec-384 rsa-2048 rsa-3072 rsa-4096' -- "$cur")); return ;;
    --propagation) COMPREPLY=($(compgen -W 'check sleep' -- "$cur")); return ;;
    --reason) COMPREPLY=($(compgen -W 'unspecified keyCompromise affiliationChanged superseded cessationOfOperation' -- "$cur")); return ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    [[ $w == -* ]] && continue
    subs=$(_certnode_subs "$path")
    [[ " $subs " == *" $w "* ]] && path=${path:+$path }$w
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

#!/bin/sh
# certnode dnsapi shim: runs one acme.sh-style DNS API script (dnsapi/dns_<api>.sh) for one
# DNS-01 challenge, after defining the helper functions such scripts expect from acme.sh.
# Written for certnode from a description of the contract (no acme.sh or Proxmox code).
# POSIX sh: must work under dash and bash.
#
# Calling convention:
#
#   sh dnsapi-shim.sh <add|rm> <api> <record-name> <txt-value> <dnsapi-dir> <state-file>
#
#   add|rm       call dns_<api>_add or dns_<api>_rm
#   api          the <api> of <dnsapi-dir>/dns_<api>.sh (letters, digits, '_')
#   record-name  the full TXT record name without trailing dot, e.g. _acme-challenge.www.example.com
#   txt-value    the TXT value (base64url of the key authorization's SHA-256)
#   dnsapi-dir   directory holding dns_<api>.sh
#   state-file   private file where the save helpers keep values between add and rm (may not exist
#                yet; created mode 0600; the caller deletes it after rm)
#
#   The plugin's credentials arrive as environment variables (one per data line). The caller
#   gives a clean environment: PATH, a private HOME and TMPDIR, and those variables.
#   Exit status: 0 success; 1 the script failed or could not be loaded; 2 bad arguments.
#   _info and the script's own output go to stdout, _err and diagnostics to stderr.
#
# Rules this file keeps: nothing from data, domain names or HTTP responses is ever eval'ed;
# a name used for indirect access is checked to be a shell identifier first; _secure_debug*
# never prints its value; HTTP bodies are passed to curl with --data-raw (no @file reading).
#
# With CERTNODE_SHIM_LIB set, sourcing this file only defines the helpers (used by tests).

VER=3.1.4
PROJECT_NAME=acme.sh
USER_AGENT="certnode-dnsapi-shim/1 (acme.sh/$VER compatible)"
DEBUG_LEVEL_NONE=0
DEBUG_LEVEL_1=1
DEBUG_LEVEL_2=2
DEBUG_LEVEL_3=3
DEBUG_LEVEL_DEFAULT=$DEBUG_LEVEL_1
case "${DEBUG:-}" in
  '') DEBUG=$DEBUG_LEVEL_NONE ;;
  *[!0-9]*) DEBUG=$DEBUG_LEVEL_1 ;;
esac

# ---------------------------------------------------------------------------------------------
# internal helpers (prefixed _certnode_ so no dnsapi script collides with them)

# true if $1 is a shell identifier
_certnode_is_name() {
  case "$1" in
    '' | [0-9]* | *[!A-Za-z0-9_]*) return 1 ;;
  esac
  return 0
}

# MSG [VALUE] -> "[date] MSG" or "[date] MSG='VALUE'", newline
_certnode_format() {
  if [ -z "${NO_TIMESTAMP:-}" ] || [ "${NO_TIMESTAMP:-}" = 0 ]; then
    printf '[%s] ' "$(date)"
  fi
  if [ -z "${2:-}" ]; then
    printf '%s\n' "${1:-}"
  else
    printf "%s='%s'\n" "$1" "$2"
  fi
}

_certnode_debug_at() { # LEVEL MSG [VALUE]
  _certnode_d_level=$1
  shift
  if [ "$DEBUG" -ge "$_certnode_d_level" ] 2>/dev/null; then
    _certnode_format "$@" >&2
  fi
  return 0
}

_certnode_secure_debug_at() { # LEVEL NAME VALUE -> the value is never printed
  if [ "$DEBUG" -ge "$1" ] 2>/dev/null; then
    if [ $# -ge 3 ]; then
      _certnode_format "$2" "[hidden]" >&2
    else
      _certnode_format "$2" >&2
    fi
  fi
  return 0
}

_certnode_openssl() {
  "${ACME_OPENSSL_BIN:-openssl}" "$@"
}

# ---------------------------------------------------------------------------------------------
# logging

_info() {
  _certnode_format "$@"
  return 0
}

_err() {
  _certnode_format "$@" >&2
  return 1
}

_debug() { _certnode_debug_at 1 "$@"; }
_debug2() { _certnode_debug_at 2 "$@"; }
_debug3() { _certnode_debug_at 3 "$@"; }
_secure_debug() { _certnode_secure_debug_at 1 "$@"; }
_secure_debug2() { _certnode_secure_debug_at 2 "$@"; }
_secure_debug3() { _certnode_secure_debug_at 3 "$@"; }

# writes to $LOG_FILE only
_log() {
  if [ -n "${LOG_FILE:-}" ]; then
    _certnode_format "$@" >>"$LOG_FILE"
  fi
  return 0
}

_usage() {
  __red "$*" >&2
  printf '\n' >&2
}

# never interactive here, so no colours
__green() { printf -- '%b' "${1:-}"; }
__red() { printf -- '%b' "${1:-}"; }

# ---------------------------------------------------------------------------------------------
# text utilities

_contains() { printf '%s\n' "$1" | grep -- "$2" >/dev/null 2>&1; }
_startswith() { printf '%s\n' "$1" | grep -- "^$2" >/dev/null 2>&1; }
_endswith() { printf '%s\n' "$1" | grep -- "$2\$" >/dev/null 2>&1; }

# ERE; like acme.sh, "no match" is not an error (status 0, no output)
_egrep_o() {
  grep -E -o -- "$1" 2>/dev/null
  [ $? -le 1 ]
}

_head_n() { head -n "$1"; }
_tail_n() { tail -n "$1"; }
_lower_case() { tr 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' 'abcdefghijklmnopqrstuvwxyz'; }
_upper_case() { tr 'abcdefghijklmnopqrstuvwxyz' 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'; }

# one line: no blanks around ":" before a string/object/array, no indentation, no CR/LF
_normalizeJson() {
  sed 's/"[[:blank:]]*:[[:blank:]]*\(["{[]\)/":\1/g; s/^[[:blank:]]*//' | tr -d '\r\n'
}

_json_decode() { sed 's#\\/#/#g'; }

# base64 -> base64url
_url_replace() { tr '/+' '_-' | tr -d '= '; }

# percent-encode every byte but A-Z a-z 0-9 - _ . ~ (one trailing newline of the input is dropped)
_url_encode() {
  _certnode_ue_upper=${1:-}
  od -A n -v -t x1 | tr -s ' \n' '  ' | awk -v upper="$_certnode_ue_upper" '
    {
      n = split($0, b, " ")
      if (n > 0 && b[n] == "0a") n--
      for (i = 1; i <= n; i++) {
        h = b[i]
        c = index("0123456789abcdef", substr(h, 1, 1)) * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 17
        if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 45 || c == 46 || c == 95 || c == 126) {
          printf "%c", c
        } else {
          if (upper == "upper-hex") h = toupper(h)
          printf "%%%s", h
        }
      }
    }'
}

# arithmetic over the arguments; only numbers and operators are accepted (never names: no eval)
_math() {
  _certnode_m_expr="$*"
  case "$_certnode_m_expr" in
    *[!0-9\ \	+*/%\(\)\<\>=!\&\|^~?:-]*)
      _err "_math: refusing non-numeric expression" "$_certnode_m_expr"
      return 1
      ;;
  esac
  printf '%s' "$(($_certnode_m_expr))"
}

# STR INDEX [SEP]: field INDEX (1-based), else the nearest non-empty lower one, else STR
_getfield() {
  _certnode_gf_str=$1
  _certnode_gf_i=$2
  _certnode_gf_sep=${3:-,}
  case "$_certnode_gf_i" in
    '' | *[!0-9]* | 0)
      _usage "Usage: str field [sep]"
      return 1
      ;;
  esac
  while [ "$_certnode_gf_i" -gt 0 ]; do
    _certnode_gf_v=$(printf '%s\n' "$_certnode_gf_str" | cut -d "$_certnode_gf_sep" -f "$_certnode_gf_i")
    if [ -n "$_certnode_gf_v" ]; then
      printf '%s' "$_certnode_gf_v"
      return 0
    fi
    _certnode_gf_i=$((_certnode_gf_i - 1))
  done
  printf '%s' "$_certnode_gf_str"
}

_exists() {
  [ -n "${1:-}" ] || return 1
  command -v "$1" >/dev/null 2>&1
}

# in-place sed that works with GNU and BSD sed (keeps the file's inode and mode)
_sed_i() {
  _certnode_si_tmp=$(_mktemp) || return 1
  if sed -- "$1" "$2" >"$_certnode_si_tmp"; then
    cat "$_certnode_si_tmp" >"$2"
    _certnode_si_ret=$?
  else
    _certnode_si_ret=1
  fi
  rm -f "$_certnode_si_tmp"
  return $_certnode_si_ret
}

# true if the name has non-ASCII bytes
_is_idn() {
  [ -n "$(printf '%s' "${1:-}" | LC_ALL=C tr -d '\000-\177')" ]
}

_idn() {
  if ! _is_idn "$1"; then
    printf '%s' "$1"
    return 0
  fi
  if _exists idn2; then
    idn2 -- "$1" | tr -d '\r\n'
  elif _exists idn; then
    idn --quiet -- "$1" | tr -d '\r\n'
  else
    _err "Please install idn (or idn2) to process IDN names."
    return 1
  fi
}

_mktemp() {
  mktemp "${TMPDIR:-/tmp}/certnode-dns.XXXXXX"
}

# ---------------------------------------------------------------------------------------------
# encoding and crypto (openssl, or $ACME_OPENSSL_BIN)

_base64() {
  if _exists "${ACME_OPENSSL_BIN:-openssl}"; then
    if [ -n "${1:-}" ]; then
      _certnode_openssl base64 -e
    else
      _certnode_openssl base64 -e | tr -d '\r\n'
    fi
  elif [ -n "${1:-}" ]; then
    base64 -w 64
  else
    base64 -w 0
  fi
}

_dbase64() {
  if _exists "${ACME_OPENSSL_BIN:-openssl}"; then
    if [ -n "${1:-}" ]; then
      _certnode_openssl base64 -d
    else
      _certnode_openssl base64 -d -A
    fi
  else
    tr -d '\r\n' | base64 -d
  fi
}

# " 61 62 63": lower-case hex bytes, each after a space, one line
_hex_dump() {
  od -A n -v -t x1 | tr -s ' \n' '  ' | sed 's/ *$//'
}

# hex string -> bytes
_h2b() {
  _certnode_h2b_oct=$(tr -d ' \r\n' | awk '{
    s = tolower($0)
    for (i = 1; i < length(s); i += 2) {
      v = index("0123456789abcdef", substr(s, i, 1)) * 16 + index("0123456789abcdef", substr(s, i + 1, 1)) - 17
      printf "\\0%03o", v
    }
  }')
  printf '%b' "$_certnode_h2b_oct"
}

_certnode_check_alg() {
  case "$1" in
    sha256 | sha1 | md5 | sha3-256 | sha384 | sha512 | sha224) return 0 ;;
  esac
  _err "$2: unsupported digest algorithm" "$1"
}

# ALG [hex]: digest of stdin, base64 (default) or lower-case hex
_digest() {
  _certnode_check_alg "${1:-}" _digest || return 1
  if [ -n "${2:-}" ]; then
    _certnode_openssl dgst -"$1" -binary | _hex_dump | tr -d ' '
  else
    _certnode_openssl dgst -"$1" -binary | _base64
  fi
}

# ALG SECRET_HEX [hex]: HMAC of stdin; raw bytes, or lower-case hex
_hmac() {
  _certnode_check_alg "${1:-}" _hmac || return 1
  case "${2:-}" in
    *[!0-9a-fA-F]*)
      _err "_hmac: the key must be a hex string"
      return 1
      ;;
  esac
  if [ -n "${3:-}" ]; then
    _certnode_openssl dgst -"$1" -mac HMAC -macopt "hexkey:$2" -binary | _hex_dump | tr -d ' '
  else
    _certnode_openssl dgst -"$1" -mac HMAC -macopt "hexkey:$2" -binary
  fi
}

_isRSA() {
  _certnode_openssl pkey -in "$1" -noout -text 2>/dev/null | grep -q 'publicExponent'
}

# KEYFILE ALG: sign stdin; RSA -> base64 signature, EC -> base64 of raw r||s
_sign() {
  _certnode_sg_key=$1
  _certnode_sg_alg=${2:-sha256}
  _certnode_check_alg "$_certnode_sg_alg" _sign || return 1
  if [ ! -r "$_certnode_sg_key" ]; then
    _err "_sign: cannot read key file" "$_certnode_sg_key"
    return 1
  fi
  if _isRSA "$_certnode_sg_key"; then
    _certnode_openssl dgst -"$_certnode_sg_alg" -sign "$_certnode_sg_key" | _base64
    return
  fi
  _certnode_sg_bits=$(_certnode_openssl pkey -in "$_certnode_sg_key" -noout -text 2>/dev/null | sed -n 's/^Private-Key: *(\([0-9]*\) bit.*/\1/p' | _head_n 1)
  if [ -z "$_certnode_sg_bits" ]; then
    _err "_sign: unsupported key" "$_certnode_sg_key"
    return 1
  fi
  _certnode_sg_width=$((((_certnode_sg_bits + 7) / 8) * 2))
  _certnode_openssl dgst -"$_certnode_sg_alg" -sign "$_certnode_sg_key" |
    _certnode_openssl asn1parse -inform DER 2>/dev/null |
    sed -n 's/.*INTEGER *:\([0-9A-Fa-f]*\).*/\1/p' |
    awk -v w="$_certnode_sg_width" '{ s = $0; while (length(s) < w) s = "0" s; printf "%s", substr(s, length(s) - w + 1) }' |
    _h2b | _base64
}

# ---------------------------------------------------------------------------------------------
# time

_time() { date -u +%s; }
_utc_date() { date -u '+%Y-%m-%d %H:%M:%S'; }
_sleep() { sleep "$1"; }

# ---------------------------------------------------------------------------------------------
# saved configuration: read from this challenge's state file first, then from the environment
# (where the plugin's data lines are); saved to the state file so dns_<api>_rm finds what
# dns_<api>_add saved. State lines: "<scope> <NAME> <base64 value>", scopes saved/account/domain.

_certnode_state=''

_certnode_state_get() { # SCOPE NAME -> value; status 1 when absent
  [ -n "$_certnode_state" ] && [ -f "$_certnode_state" ] || return 1
  _certnode_sget_line=$(grep -- "^$1 $2 " "$_certnode_state" | tail -n 1)
  [ -n "$_certnode_sget_line" ] || return 1
  printf '%s' "${_certnode_sget_line#"$1 $2 "}" | _dbase64
}

_certnode_state_put() { # SCOPE NAME [VALUE] (no VALUE: delete)
  [ -n "$_certnode_state" ] || return 0
  _certnode_sput_tmp="$_certnode_state.new"
  {
    if [ -f "$_certnode_state" ]; then
      grep -v -- "^$1 $2 " "$_certnode_state"
    fi
    if [ $# -ge 3 ]; then
      printf '%s %s %s\n' "$1" "$2" "$(printf '%s' "$3" | _base64)"
    fi
  } >"$_certnode_sput_tmp" && mv -f "$_certnode_sput_tmp" "$_certnode_state"
}

_certnode_env() { # NAME -> the environment variable's value (no eval: awk's ENVIRON)
  awk 'BEGIN { printf "%s", ENVIRON[ARGV[1]] }' "$1"
}

_certnode_read() { # SCOPE HELPER NAME
  if ! _certnode_is_name "${3:-}"; then
    _err "$2: invalid variable name" "${3:-}"
    return 1
  fi
  _certnode_state_get "$1" "$3" || _certnode_env "$3"
}

_certnode_save() { # SCOPE HELPER NAME VALUE
  if ! _certnode_is_name "${3:-}"; then
    _err "$2: invalid variable name" "${3:-}"
    return 1
  fi
  _certnode_state_put "$1" "$3" "${4:-}"
}

_certnode_clear() { # SCOPE HELPER NAME
  if ! _certnode_is_name "${3:-}"; then
    _err "$2: invalid variable name" "${3:-}"
    return 1
  fi
  _certnode_state_put "$1" "$3"
}

_readaccountconf_mutable() { _certnode_read saved _readaccountconf_mutable "$@"; }
_readaccountconf() { _certnode_read account _readaccountconf "$@"; }
_readdomainconf() { _certnode_read domain _readdomainconf "$@"; }

_saveaccountconf_mutable() {
  _certnode_save saved _saveaccountconf_mutable "$@" && _certnode_state_put account "$1"
}
_saveaccountconf() { _certnode_save account _saveaccountconf "$@"; }
_savedomainconf() { _certnode_save domain _savedomainconf "$@"; }

_clearaccountconf_mutable() {
  _certnode_clear saved _clearaccountconf_mutable "$@" && _certnode_state_put account "$1"
}
_clearaccountconf() { _certnode_clear account _clearaccountconf "$@"; }
_cleardomainconf() { _certnode_clear domain _cleardomainconf "$@"; }

# acme.sh would source its conf here; the data already is in the environment
_source_plugin_config() { return 0; }

# acme.sh sources account.conf at start, so a legacy _saveaccountconf value is a plain variable
# in the next run: do the same for names the environment does not set.
_certnode_load_legacy_state() {
  [ -n "$_certnode_state" ] && [ -f "$_certnode_state" ] || return 0
  for _certnode_ll_name in $(sed -n 's/^account \([A-Za-z_][A-Za-z0-9_]*\) .*/\1/p' "$_certnode_state"); do
    _certnode_is_name "$_certnode_ll_name" || continue
    if [ -z "$(_certnode_env "$_certnode_ll_name")" ]; then
      _certnode_ll_value=$(_certnode_state_get account "$_certnode_ll_name")
      export "$_certnode_ll_name=$_certnode_ll_value"
    fi
  done
}

# ---------------------------------------------------------------------------------------------
# HTTP: curl (or wget when curl is missing or ACME_USE_WGET=1). Status = transport status
# (0 also for HTTP 4xx/5xx); response headers in $HTTP_HEADER in curl --dump-header format.

HTTP_HEADER=''
_certnode_http=''

_inithttp() {
  if [ -z "$HTTP_HEADER" ] || [ ! -f "$HTTP_HEADER" ]; then
    HTTP_HEADER=$(_mktemp) || return 1
  fi
  if [ -z "$_certnode_http" ]; then
    if [ "${ACME_USE_WGET:-0}" != 1 ] && _exists curl; then
      _certnode_http=curl
    elif _exists wget; then
      _certnode_http=wget
    elif _exists curl; then
      _certnode_http=curl
    else
      _err "Please install curl or wget."
      return 1
    fi
  fi
}

_resethttp() {
  _certnode_http=''
}

# URL [curl options...] -> curl with the common options and _H1.._H5, the URL last
_certnode_curl() {
  _certnode_c_url=$1
  shift
  set -- curl -q --silent --show-error -g --dump-header "$HTTP_HEADER" --user-agent "$USER_AGENT" "$@"
  [ -n "${ACME_HTTP_NO_REDIRECTS:-}" ] || set -- "$@" -L
  [ -z "${HTTPS_INSECURE:-}" ] || [ "${HTTPS_INSECURE:-}" = 0 ] || set -- "$@" --insecure
  [ -z "${CA_BUNDLE:-}" ] || set -- "$@" --cacert "$CA_BUNDLE"
  [ -z "${CA_PATH:-}" ] || set -- "$@" --capath "$CA_PATH"
  [ -z "${ACME_USE_IPV4_REQUESTS:-}" ] || set -- "$@" -4
  [ -z "${ACME_USE_IPV6_REQUESTS:-}" ] || set -- "$@" -6
  [ -z "${_H1:-}" ] || set -- "$@" -H "$_H1"
  [ -z "${_H2:-}" ] || set -- "$@" -H "$_H2"
  [ -z "${_H3:-}" ] || set -- "$@" -H "$_H3"
  [ -z "${_H4:-}" ] || set -- "$@" -H "$_H4"
  [ -z "${_H5:-}" ] || set -- "$@" -H "$_H5"
  "$@" -- "$_certnode_c_url"
}

# URL [wget options...]; wget's -S headers (stderr, indented) -> $HTTP_HEADER in curl's format
_certnode_wget() {
  _certnode_wg_url=$1
  shift
  _certnode_wg_err=$(_mktemp) || return 1
  set -- wget -q -S -O - --content-on-error --user-agent="$USER_AGENT" "$@"
  [ -z "${ACME_HTTP_NO_REDIRECTS:-}" ] || set -- "$@" --max-redirect=0
  [ -z "${HTTPS_INSECURE:-}" ] || [ "${HTTPS_INSECURE:-}" = 0 ] || set -- "$@" --no-check-certificate
  [ -z "${CA_BUNDLE:-}" ] || set -- "$@" --ca-certificate="$CA_BUNDLE"
  [ -z "${CA_PATH:-}" ] || set -- "$@" --ca-directory="$CA_PATH"
  [ -z "${ACME_USE_IPV4_REQUESTS:-}" ] || set -- "$@" -4
  [ -z "${ACME_USE_IPV6_REQUESTS:-}" ] || set -- "$@" -6
  [ -z "${_H1:-}" ] || set -- "$@" --header="$_H1"
  [ -z "${_H2:-}" ] || set -- "$@" --header="$_H2"
  [ -z "${_H3:-}" ] || set -- "$@" --header="$_H3"
  [ -z "${_H4:-}" ] || set -- "$@" --header="$_H4"
  [ -z "${_H5:-}" ] || set -- "$@" --header="$_H5"
  "$@" -- "$_certnode_wg_url" 2>"$_certnode_wg_err"
  _certnode_wg_ret=$?
  sed -n 's/^  \(.*\)$/\1/p' "$_certnode_wg_err" | sed 's/$/\r/' >"$HTTP_HEADER"
  if [ "$_certnode_wg_ret" = 8 ]; then
    # 8 = the server answered with an HTTP error: that is a response, not a transport failure
    _certnode_wg_ret=0
  elif [ "$_certnode_wg_ret" != 0 ]; then
    sed -n '/^  /!p' "$_certnode_wg_err" >&2
  fi
  rm -f "$_certnode_wg_err"
  return "$_certnode_wg_ret"
}

# BODY URL [NEEDBASE64] [METHOD] [CONTENT_TYPE]
_post() {
  _certnode_p_body=${1:-}
  _certnode_p_url=${2:-}
  _certnode_p_b64=${3:-}
  _certnode_p_method=${4:-POST}
  _certnode_p_ct=${5:-}
  _inithttp || return 1
  : >"$HTTP_HEADER"
  set --
  if [ "$_certnode_http" = curl ]; then
    if [ "$_certnode_p_method" = HEAD ]; then
      set -- -I
    else
      set -- -X "$_certnode_p_method"
    fi
    [ -z "$_certnode_p_ct" ] || set -- "$@" -H "Content-Type: $_certnode_p_ct"
    [ -z "$_certnode_p_body" ] || set -- "$@" --data-raw "$_certnode_p_body"
    response=$(_certnode_curl "$_certnode_p_url" "$@")
  else
    set -- --method="$_certnode_p_method"
    [ -z "$_certnode_p_ct" ] || set -- "$@" --header="Content-Type: $_certnode_p_ct"
    [ -z "$_certnode_p_body" ] || set -- "$@" --body-data="$_certnode_p_body"
    response=$(_certnode_wget "$_certnode_p_url" "$@")
  fi
  _ret=$?
  ret=$_ret
  if [ "$_ret" != 0 ]; then
    _err "$_certnode_p_method $_certnode_p_url failed: $_certnode_http exit status $_ret"
  fi
  if [ -n "$_certnode_p_b64" ]; then
    printf '%s' "$response" | _base64
  else
    printf '%s' "$response"
  fi
  return "$_ret"
}

# URL [ONLYHEADER] [TIMEOUT]: the body streams to stdout (headers instead with ONLYHEADER)
_get() {
  _certnode_g_url=${1:-}
  _certnode_g_head=${2:-}
  _certnode_g_timeout=${3:-}
  _inithttp || return 1
  : >"$HTTP_HEADER"
  set --
  if [ "$_certnode_http" = curl ]; then
    [ -z "$_certnode_g_head" ] || set -- -I
    [ -z "$_certnode_g_timeout" ] || set -- "$@" --connect-timeout "$_certnode_g_timeout"
    _certnode_curl "$_certnode_g_url" "$@"
    _ret=$?
  else
    [ -z "$_certnode_g_timeout" ] || set -- "$@" --timeout="$_certnode_g_timeout"
    if [ -n "$_certnode_g_head" ]; then
      _certnode_wget "$_certnode_g_url" --spider "$@" >/dev/null
      _ret=$?
      cat "$HTTP_HEADER"
    else
      _certnode_wget "$_certnode_g_url" "$@"
      _ret=$?
    fi
  fi
  ret=$_ret
  if [ "$_ret" != 0 ]; then
    _err "GET $_certnode_g_url failed: $_certnode_http exit status $_ret"
  fi
  return "$_ret"
}

# DOMAIN TYPE: DNS-over-HTTPS lookup, prints the "Answer":[...] fragment
_ns_lookup() {
  _certnode_ns_h1=${_H1:-}
  _H1="accept: application/dns-json"
  _certnode_ns_ret=1
  for _certnode_ns_url in "https://cloudflare-dns.com/dns-query" "https://dns.google/resolve"; do
    _certnode_ns_res=$(_get "$_certnode_ns_url?name=$1&type=${2:-TXT}" "" 10) || continue
    if _contains "$_certnode_ns_res" '"Status": *0'; then
      printf '%s' "$_certnode_ns_res" | _normalizeJson | _egrep_o '"Answer":\[[^]]*]'
      _certnode_ns_ret=0
      break
    fi
  done
  _H1=$_certnode_ns_h1
  return $_certnode_ns_ret
}

# ---------------------------------------------------------------------------------------------
# entry point

_certnode_main() {
  if [ $# -ne 6 ]; then
    printf '%s\n' "usage: dnsapi-shim.sh <add|rm> <api> <record-name> <txt-value> <dnsapi-dir> <state-file>" >&2
    return 2
  fi
  _certnode_action=$1
  _certnode_api=$2
  _certnode_fqdn=$3
  _certnode_txt=$4
  _certnode_dir=$5
  _certnode_state=$6
  case "$_certnode_action" in
    add) _certnode_verb="add txt" ;;
    rm) _certnode_verb="remove txt" ;;
    *)
      _err "unknown action (expected add or rm)" "$_certnode_action"
      return 2
      ;;
  esac
  case "$_certnode_api" in
    '' | *[!A-Za-z0-9_]*)
      _err "invalid DNS API name" "$_certnode_api"
      return 2
      ;;
  esac
  case "$_certnode_fqdn" in
    '' | *[!A-Za-z0-9._-]*)
      _err "invalid record name" "$_certnode_fqdn"
      return 2
      ;;
  esac
  # base64url for dns-01 and dns-account-01; a dns-persist-01 value also has ' ', ';', '=', ':', '/', '.'
  case "$_certnode_txt" in
    '' | ' '* | *[!A-Za-z0-9_.\;=:/~+\ -]*)
      _err "invalid TXT value" "$_certnode_txt"
      return 2
      ;;
  esac
  umask 077
  _inithttp || return 1
  _certnode_load_legacy_state

  _certnode_file="$_certnode_dir/dns_$_certnode_api.sh"
  _certnode_fn="dns_${_certnode_api}_$_certnode_action"
  # a script that does not even load (missing, unreadable, syntax error) fails here, in a
  # subshell, so the message is ours and not the shell's abort
  if [ ! -f "$_certnode_file" ] || [ ! -r "$_certnode_file" ] || ! (. "$_certnode_file") >/dev/null 2>&1; then
    _err "Load file dns_$_certnode_api error. ($_certnode_file)"
    return 1
  fi
  . "$_certnode_file"
  if ! _exists "$_certnode_fn"; then
    _err "It seems that your api file is not correct, it must have a function named: $_certnode_fn"
    return 1
  fi
  "$_certnode_fn" "$_certnode_fqdn" "$_certnode_txt"
  _certnode_ret=$?
  rm -f "$HTTP_HEADER"
  if [ "$_certnode_ret" != 0 ]; then
    _err "Error $_certnode_verb for domain:$_certnode_fqdn"
    return 1
  fi
  return 0
}

if [ -z "${CERTNODE_SHIM_LIB:-}" ]; then
  _certnode_main "$@"
  exit $?
fi

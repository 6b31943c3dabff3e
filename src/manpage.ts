// man/certnode.1, generated from the live command tree so it never drifts (a test compares).

import type { Command, Option } from 'commander';
import { usageLine } from './commands/index.ts';

const ENVIRONMENT: [string, string][] = [
  ['CERTNODE_CONFIG_DIR', 'Configuration directory, when --config-dir is not given (default /etc/certnode).'],
  ['CERTNODE_OUTPUT_FORMAT', 'Output format, when --output-format is not given: text, json or json-pretty.'],
  ['CERTNODE_DEBUG', 'Set to 1 to print stack traces with errors.'],
  ['CERTNODE_CA_BUNDLE', 'PEM file of extra CA certificates to trust for the ACME server (private CAs); NODE_EXTRA_CA_CERTS is honoured too.'],
  ['CERTNODE_DNSAPI_DIR', "Directory of acme.sh dns_<api>.sh scripts, searched before the node setting dnsapi-dir and the usual install places."],
  ['CERTNODE_DNS_RESOLVERS', 'host:port[,host:port]: the DNS servers the dns-01 propagation check asks, instead of the zone\'s authoritative name servers.'],
  ['CERTNODE_DNS_SCRIPT_TIMEOUT', 'Seconds one DNS API script call may take (default 300); then it is killed with everything it started.'],
  ['NO_COLOR', 'Set to anything to switch off colours in task logs.'],
  ['LANG, LC_CTYPE, LC_ALL', 'A UTF-8 locale draws tables with box-drawing characters, any other with ASCII.'],
];

const FILES: [string, string][] = [
  ['<config-dir>/node.cfg', 'Node configuration: acme, acmedomainN and other keys (key: value lines, Proxmox format).'],
  ['<config-dir>/acme/plugins.cfg', 'Challenge plugins (Proxmox section-config format; data stored base64url). Mode 0600, directory 0700.'],
  ['<config-dir>/acme/accounts/<name>', 'ACME accounts, one JSON file each with the private key. Mode 0600.'],
  ['<config-dir>/certs/certnode.pem, certnode.key', 'The installed chain (0644) and key (0600) unless cert-file/cert-key-file say otherwise; the previous pair is kept as .old.'],
  ['<config-dir>/certs/certnode.json', 'Where the installed pair came from (acme, custom, self-signed) and, for ACME certificates, the renewal information state.'],
  ['<config-dir>/certnode-runs.json', 'How the last orders, renewals and revocations ended (attempt, success, failure, consecutive failures) and a CA rate limit\'s Retry-After, which later renew runs respect.'],
];

const EXIT_STATUS: [string, string][] = [
  ['0', 'Success, including "nothing to do".'],
  ['3', 'The new certificate was installed (order, renew, revoke), but the reload command failed afterwards: "certificate installed; reload command failed: ...". The reload-failed event is notified.'],
  ['255', 'Any failure: bad arguments, bad configuration, a failed task (as pvenode).'],
  ['128+N', 'Ended by signal N: 130 SIGINT (Ctrl-C), 143 SIGTERM, 129 SIGHUP (closed terminal). An order first kills a running DNS script, removes its records and closes its listener.'],
];

const DNS_SCRIPTS =
  'DNS API scripts are untrusted. Their calls within one order run one at a time (adds in the order of the configured names, then removes), so provider APIs that read and write back a whole record set lose nothing. ' +
  'As root, each script runs as a user id no other process uses (picked per run from 0x7a000000..0x7a00ffff and claimed under /run/certnode/uids), without supplementary groups and with no-new-privs, HOME and TMPDIR in a private directory under /run/certnode; ' +
  'no other unprivileged process can read its environment or files, every process of that id is killed when a call ends (also setsid or double-forked children), and the directory is removed only then, without following links. ' +
  'Data files only root can read are passed as private read-only copies. Not as root, scripts run as the invoking user in a 0700 directory under TMPDIR, and only their process group is killed. ' +
  'Secrets are masked as *** in all output: values of data keys whose names contain KEY, TOKEN, SECRET, PASS, PWD, PW, AUTH, CREDENTIAL, PRIVATE or SIG, values that look like opaque tokens (16 or more letters, digits and +/=_~-, mixing letters and digits), and such tokens inside data files (TSIG keys); paths, zones, hosts and ports stay readable.';

function esc(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/-/g, '\\-').replace(/^([.'])/gm, '\\&$1');
}

function leaves(cmd: Command): Command[] {
  const subs = cmd.commands.filter((c) => c.name() !== 'help');
  if (subs.length === 0) return [cmd];
  return subs.flatMap(leaves);
}

function optionLines(options: readonly Option[]): string {
  return options
    .filter((o) => !o.hidden && o.long !== '--help')
    .map((o) => `.TP\n.B ${esc(o.flags)}\n${esc(o.description)}\n`)
    .join('');
}

export function generateManPage(program: Command, version: string): string {
  let out = `.TH CERTNODE 1 "" "certnode ${version}" "User Commands"\n`;
  out += `.SH NAME\ncertnode \\- ${esc(program.description())}\n`;
  out += '.SH SYNOPSIS\n';
  for (const leaf of leaves(program)) out += `.B ${esc(usageLine(leaf))}\n.br\n`;
  out += '.SH DESCRIPTION\n';
  out += esc(
    'certnode mirrors the certificate management of Proxmox pvenode and proxmox-backup-manager: the same commands, configuration files and task-log style. ' +
      'Booleans take 1/0/yes/no/true/false/on/off or stand bare; -option works like --option; subcommands may be abbreviated to a unique prefix.',
  );
  out += '\n.SH COMMANDS\n';
  for (const leaf of leaves(program)) {
    out += `.SS ${esc(usageLine(leaf))}\n${esc(leaf.description())}\n`;
    for (const arg of leaf.registeredArguments) out += `.TP\n.I ${esc(arg.name())}\n${esc(arg.description)}\n`;
    out += optionLines(leaf.options);
  }
  out += '.SH GLOBAL OPTIONS\n';
  out += optionLines(program.options);
  out += `.SH DNS SCRIPTS\n${esc(DNS_SCRIPTS)}\n`;
  out += '.SH ENVIRONMENT\n';
  for (const [name, text] of ENVIRONMENT) out += `.TP\n.B ${esc(name)}\n${esc(text)}\n`;
  out += '.SH FILES\n';
  for (const [name, text] of FILES) out += `.TP\n.I ${esc(name)}\n${esc(text)}\n`;
  out += '.SH EXIT STATUS\n';
  for (const [code, text] of EXIT_STATUS) out += `.TP\n.B ${code}\n${esc(text)}\n`;
  return out;
}

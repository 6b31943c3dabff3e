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
  ['CERTNODE_DNS_SCRIPT_TIMEOUT', 'Seconds one DNS API script call may take (default 300); then its process group is killed.'],
  ['CERTNODE_EAB_HMAC_KEY', 'The external account binding HMAC key for acme account register --eab-kid (keeps it out of ps; so does --eab-hmac-key-file).'],
  ['NO_COLOR', 'Set to anything to switch off colours in task logs.'],
  ['LANG, LC_CTYPE, LC_ALL', 'A UTF-8 locale draws tables with box-drawing characters, any other with ASCII.'],
];

const FILES: [string, string][] = [
  ['<config-dir>/node.cfg', 'Node configuration: acme, acmedomainN and other keys (key: value lines, Proxmox format).'],
  ['<config-dir>/acme/plugins.cfg', 'Challenge plugins (Proxmox section-config format; data stored base64url). Mode 0600, directory 0700.'],
  ['<config-dir>/acme/accounts/<name>', 'ACME accounts, one JSON file each with the private key. Mode 0600.'],
  ['<config-dir>/certs/certnode.pem, certnode.key', 'The installed chain (0644) and key (0600) unless cert-file/cert-key-file say otherwise; the previous pair is kept as .old.'],
  ['<config-dir>/certs/certnode.json', 'Where the installed pair came from (acme, custom, self-signed) and, for ACME certificates, the renewal information state.'],
  ['<config-dir>/certs/certnode.json.journal', 'An install in progress. A crash leaves either the old pair, or this journal and the staged new pair (.<name>.certnode-new beside each target): the next command that reads or replaces the pair completes the install and says so.'],
  ['<file>.lock', 'A lock directory (owner inside: host, pid, since), refreshed by its holder every 4 s. A lock not refreshed for 20 s, or whose owner ran on this host and is gone, is taken over; no command waits longer than 30 s for a lock, and giving up names the lock and its holder.'],
];

/** Checked on every write; a value outside them is refused with one line and exit 255. */
const LIMITS: [string, string][] = [
  ['plugin ids, account names', '2 to 32 characters: a letter, then letters, digits, _ and - (Proxmox pve-configid, PBS length).'],
  ['domains', 'DNS names of at most 253 characters (labels up to 63; the last label not all digits), *.wildcards, or strict IPv4/IPv6 literals; a domains= list has no empty elements.'],
  ['ports, delays', 'Plain integers in range (ports 1..65535): no spaces, no +, no leading zeros.'],
  ['plugin data', 'At most 64 KiB of KEY=VALUE lines; no NUL or other control characters in values.'],
  ['cert set', 'RSA keys of 2048 bits or more, or EC keys; DSA is refused. An expired or not yet valid certificate is installed with a warning.'],
];

const EXIT_STATUS: [string, string][] = [
  ['0', 'Success, including "nothing to do".'],
  ['255', 'Any failure: bad arguments, bad configuration, a failed task (as pvenode).'],
  ['130', 'Interrupted (SIGINT, SIGTERM).'],
];

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
  out += '.SH ENVIRONMENT\n';
  for (const [name, text] of ENVIRONMENT) out += `.TP\n.B ${esc(name)}\n${esc(text)}\n`;
  out += '.SH FILES\n';
  for (const [name, text] of FILES) out += `.TP\n.I ${esc(name)}\n${esc(text)}\n`;
  out += '.SH LIMITS\n';
  for (const [name, text] of LIMITS) out += `.TP\n.B ${esc(name)}\n${esc(text)}\n`;
  out += '.SH EXIT STATUS\n';
  for (const [code, text] of EXIT_STATUS) out += `.TP\n.B ${code}\n${esc(text)}\n`;
  return out;
}

// man/certnode.1, generated from the live command tree so it never drifts (a test compares).

import type { Command, Option } from 'commander';
import { EXAMPLES, usageLine } from './commands/index.ts';
import { EXIT_STATUS_TABLE } from './core/exit-status.ts';

const ENVIRONMENT: [string, string][] = [
  ['CERTNODE_CONFIG_DIR', 'Configuration directory, when --config-dir is not given (default /etc/certnode).'],
  ['CERTNODE_NODE', 'The node to act as, when --node is not given, in a cluster tree or the pve layout (default: the host name up to its first dot). Ignored in a single-host tree.'],
  ['CERTNODE_LAYOUT', "The config dir's layout, when --layout is not given: certnode, pve or pbs (default: told from the tree)."],
  ['CERTNODE_OUTPUT_FORMAT', 'Output format, when --output-format is not given: text, json or json-pretty.'],
  ['CERTNODE_DEBUG', 'Set to 1 to print stack traces with errors.'],
  ['CERTNODE_CA_BUNDLE', 'PEM file of extra CA certificates to trust for the ACME server (private CAs); NODE_EXTRA_CA_CERTS is honoured too.'],
  ['CERTNODE_DNSAPI_DIR', "Directory of acme.sh dns_<api>.sh scripts, searched before the node setting dnsapi-dir and the usual install places."],
  ['CERTNODE_DNS_RESOLVERS', 'host:port[,host:port]: the DNS servers the dns-01 propagation check asks, instead of the zone\'s authoritative name servers.'],
  ['CERTNODE_DNS_SCRIPT_TIMEOUT', 'Seconds one DNS API script call may take (default 300); then it is killed with everything it started.'],
  ['CERTNODE_EAB_HMAC_KEY', 'The external account binding HMAC key for acme account register --eab-kid (keeps it out of ps; so does --eab-hmac-key-file).'],
  ['NO_COLOR', 'Set to anything to switch off colours in task logs and prompts.'],
  ['FORCE_COLOR', 'Set (to anything but 0) to colour task logs also when they do not go to a terminal.'],
  ['LANG, LC_CTYPE, LC_ALL', 'A UTF-8 locale draws tables with box-drawing characters and prompts with their symbols, any other locale with ASCII.'],
];

const FILES: [string, string][] = [
  ['<config-dir>/node.cfg', 'Node configuration: acme, acmedomainN and other keys (key: value lines, Proxmox format).'],
  ['<config-dir>/acme/plugins.cfg', 'Challenge plugins (Proxmox section-config format; data stored base64url). Mode 0600, directory 0700.'],
  ['<config-dir>/acme/accounts/<name>', 'ACME accounts, one JSON file each with the private key. Mode 0600.'],
  ['<config-dir>/certs/certnode.pem, certnode.key', 'The installed chain (0644) and key (0600) unless cert-file/cert-key-file say otherwise; the previous pair is kept as .old.'],
  ['<config-dir>/certs/certnode.json', 'Where the installed pair came from (acme, custom, self-signed), for ACME certificates the renewal information state, and what the install checked (SHA-256 of the chain and key files, the validity): a renew that finds the same bytes parses nothing.'],
  ['<config-dir>/certnode-runs.json', 'How the last orders, renewals and revocations ended (attempt, success, failure, consecutive failures) and a CA rate limit\'s Retry-After, which later renew runs respect.'],
  ['<config-dir>/certs/certnode.json.journal', 'An install in progress. A crash leaves either the old pair, or this journal and the staged new pair (.<name>.certnode-new beside each target): the next command that reads or replaces the pair completes the install and says so.'],
  ['<config-dir>/nodes/<node>/', 'In a cluster tree (the config dir has a nodes/ directory): that node\'s node.cfg, certs/ and certnode-runs.json, beside the shared acme/.'],
  ['<file>.lock', 'A lock directory (owner inside: host, pid, since, PID space), refreshed by its holder every 4 s. A lock not refreshed for 20 s is taken over, and so is one whose owner is gone and ran in this machine\'s PID space (same kernel boot and PID namespace, whatever its host name; a PID from another host is never asked); a lock directory without owner (its taker was killed at once) after 2 s. No command waits longer than 30 s for a lock, and giving up names the lock and its holder.'],
];

/** Checked on every write; a value outside them is refused with one line and exit 255. */
const LIMITS: [string, string][] = [
  ['plugin ids, account names', '2 to 32 characters: a letter, then letters, digits, _ and - (Proxmox pve-configid, PBS length).'],
  ['domains', 'DNS names of at most 253 characters (labels up to 63; the last label not all digits), *.wildcards, or strict IPv4/IPv6 literals; a domains= list has no empty elements.'],
  ['ports, delays', 'Plain integers in range (ports 1..65535): no spaces, no +, no leading zeros.'],
  ['plugin data', 'At most 64 KiB of KEY=VALUE lines; no NUL or other control characters in values.'],
  ['cert set', 'RSA keys of 2048 bits or more, or EC keys; DSA is refused. An expired or not yet valid certificate is installed with a warning.'],
];

const DNS_METHODS =
  'acmedomainN takes challenge=<method>[|<method>...]: dns-01 (default; _acme-challenge.<domain>), dns-account-01 (_<label>._acme-challenge.<domain>, the label derived from the ACME account URL, so several accounts can validate one name at the same time) or dns-persist-01 (_validation-persist.<domain> TXT "<issuer>; accounturi=<account URL>[; policy=wildcard]", published once with acme cert persist-record --apply and left in place; orders then run no script). ' +
  'Methods are tried in the order given; when the CA offers none of them the order fails before any record is touched. A name validated only by dns-persist-01 needs no dns plugin.';

const DNS_SCRIPTS =
  'DNS API scripts are untrusted. Their calls within one order run one at a time (adds in the order of the configured names, then removes), so provider APIs that read and write back a whole record set lose nothing. ' +
  'As root, each script runs as a user id no other process uses (picked per run from 0x7a000000..0x7a00ffff and claimed under /run/certnode/uids), without supplementary groups and with no-new-privs, HOME and TMPDIR in a private directory under /run/certnode; ' +
  'no other unprivileged process can read its environment or files, every process of that id is killed when a call ends (also setsid or double-forked children), and the directory is removed only then, without following links. ' +
  'Data files only root can read are passed as private read-only copies. Not as root, scripts run as the invoking user in a 0700 directory under TMPDIR, and only their process group is killed. ' +
  'Secrets are masked as *** in all output: values of data keys whose names contain KEY, TOKEN, SECRET, PASS, PWD, PW, AUTH, CREDENTIAL, PRIVATE or SIG, values that look like opaque tokens (16 or more letters, digits and +/=_~-, mixing letters and digits), and such tokens inside data files (TSIG keys); paths, zones, hosts and ports stay readable.';

/** What `--output-format json` prints, per kind of command (the contract scripts rely on). */
const OUTPUT: [string, string][] = [
  ['Lists', '(acme account list, acme plugin list, acme directories, acme plugin apis, cert info) are JSON arrays of objects, in the same order as the text table.'],
  ['Objects', '(acme account info, acme plugin config, config get) are one JSON object; keys are sorted; json-pretty indents as pvenode does.'],
  ['Field lists', '(acme plugin apis) are arrays of objects {name, optional, default, group, description}, in the list and for one API alike.'],
  ['Provisioning', '(acme plugin add|set|remove, config set, acme account register) print {"changed": true|false}; register adds the account when it registered one. In text mode nothing is printed when something changed and "unchanged" when nothing needed doing.'],
  ['Certificates', '(acme cert order, and acme cert renew when it ordered) print {"changed": true, "certificate": {...as cert info...}, "order": URL}; renew adds "due", "due-from", "notafter", "source", "renewed" and, when the CA offers ARI, "ari"; when not due it prints those with "changed": false.'],
  ['Task logs and errors', 'go to stderr in the json formats, so stdout carries only the JSON document.'],
];

const RENEWAL = [
  'The package ships share/systemd/certnode-renew.service and certnode-renew.timer: daily, with a randomized delay, persistent across downtime. After npm install -g they are in $(npm root -g)/certnode/share/systemd; copy them to /etc/systemd/system and run systemctl daemon-reload; systemctl enable --now certnode-renew.timer.',
  'Without systemd, a cron line does the same: 17 3 * * * root certnode --quiet acme cert renew',
  'acme cert renew does nothing (quickly, exit 0) until a third of the lifetime is left (half for certificates shorter than 10 days), or earlier when the CA says so through ACME Renewal Information (RFC 9773).',
];

const LAYOUTS = [
  'certnode (the default for a new tree): the files above. With a nodes/ directory in the config dir (mkdir it) the tree is a cluster tree: each node keeps its node.cfg, certs/ and certnode-runs.json in nodes/<node>/, all nodes share acme/plugins.cfg and acme/accounts/, so a tree on a shared file system (NFS, CephFS, GlusterFS) serves many hosts, each ordering and renewing only its own certificate. The node name is --node, else CERTNODE_NODE, else the short host name (letters, digits and -, 1..63). Without nodes/ the tree is a single host, as before. Hosts sharing a tree keep their clocks in step (a lock is judged stale by age). A tree on GlusterFS needs the volume options performance.open-behind off and performance.stat-prefetch off: with the defaults a client reads a file another client just replaced with its old content, and an update made from it would be lost.',
  'pve (/etc/pve): plugins.cfg and the accounts in priv/acme/, the node settings in nodes/<node>/config, the certificate in nodes/<node>/pveproxy-ssl.pem and .key. pbs (/etc/proxmox-backup): node.cfg, acme/plugins.cfg, acme/accounts/<name>, proxy.pem and proxy.key; a rewritten file there keeps its group and group bits (root:backup 0640). The layout is told from the tree (PVE: priv/, corosync.conf, datacenter.cfg, storage.cfg, pve-root-ca.pem, nodes/<node>/config; PBS: proxy.pem, proxy.key, datastore.cfg, .node.lck; certnode: certs/, certnode-runs.json, nodes/<node>/node.cfg); marks of two layouts are an error asking for --layout.',
  'In a pve or pbs tree certnode writes nothing the Proxmox parser would drop or reject: such a setting is refused with one line naming the limitation (exit 255, no file changed), e.g. keytype= in acme (PVE drops the whole acme line), wildcard or IP domains, acmedomain6 and up (PBS: 5 and up), challenge=, cert-file and the other certnode-only keys, plugin propagation/port/address/challenge, and for PBS acme domains= and plugin nodes. Those settings live in certnode\'s side files: nodes/<node>/certnode.cfg (pbs: certnode.cfg) written by config set --side, and certnode-plugins.cfg beside plugins.cfg written by acme plugin set --side; certnode reads both files together. Its own state is in nodes/<node>/certnode/ (pbs: certnode/). In the pve layout cert delete and acme cert revoke remove pveproxy-ssl.* (pveproxy then serves PVE\'s own pve-ssl.pem) and cert update makes no self-signed pair. /etc/pve is pmxcfs, which allows no chmod but to 0600 below priv/ and 0640 elsewhere: in the pve layout files get exactly those modes and directory modes are left alone.',
  'A plugin\'s nodes list is honoured in every layout: config set naming it for a domain, and an order, on a node not listed fail with one line, before the CA is contacted. config get --node X and cert info --node X read another node\'s files.',
];

const SEE_ALSO = ['pvenode(1)', 'proxmox-backup-manager(1)', 'systemd.timer(5)', 'crontab(5)', 'openssl(1)'];

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
  out += '.SH OPTIONS\nThese work on every command, before or after it.\n';
  out += optionLines(program.options);
  out += '.SH OUTPUT\n';
  for (const [what, text] of OUTPUT) out += `.TP\n.B ${esc(what)}\n${esc(text)}\n`;
  out += '.SH AUTOMATIC RENEWAL\n';
  out += RENEWAL.map(esc).join('\n.PP\n');
  out += '\n.SH FILES\n';
  for (const [name, text] of FILES) out += `.TP\n.I ${esc(name)}\n${esc(text)}\n`;
  out += `.SH LAYOUTS AND CLUSTERS\n${LAYOUTS.map(esc).join('\n.PP\n')}\n`;
  out += '.SH LIMITS\n';
  for (const [name, text] of LIMITS) out += `.TP\n.B ${esc(name)}\n${esc(text)}\n`;
  out += `.SH DNS VALIDATION METHODS\n${esc(DNS_METHODS)}\n`;
  out += `.SH DNS SCRIPTS\n${esc(DNS_SCRIPTS)}\n`;
  out += '.SH ENVIRONMENT\n';
  for (const [name, text] of ENVIRONMENT) out += `.TP\n.B ${esc(name)}\n${esc(text)}\n`;
  out += '.SH EXIT STATUS\n';
  for (const { status, meaning } of EXIT_STATUS_TABLE) out += `.TP\n.B ${esc(status)}\n${esc(meaning.replace(/`/g, ''))}\n`;
  out += '.SH EXAMPLES\n';
  for (const [what, command] of EXAMPLES) out += `.PP\n${esc(what[0]!.toUpperCase() + what.slice(1))}:\n.PP\n.RS 4\n.nf\n${esc(command.replace(/^ +/gm, ''))}\n.fi\n.RE\n`;
  out += '.SH SEE ALSO\n';
  out += `${SEE_ALSO.map((ref) => `.BR ${ref.replace(/\((\d)\)$/, ' ($1)')}`).join(',\n')}\n`;
  return out;
}

// The command tree. Leaf modules are imported only when their command runs.

import { Command, Option, type OutputConfiguration } from 'commander';
import { KNOWN_DIRECTORIES } from '../core/acme/directories.ts';
import { DEFAULT_KEY_TYPE, KEY_TYPES } from '../core/cert/keys.ts';
import { MAX_DOMAIN_SLOT } from '../core/config/node.ts';
import type { CommandNode, OptionNode } from '../core/argv.ts';
import type { LeafCommand, RawOptions } from './command.ts';

export interface Invocation {
  command: Command;
  args: string[];
  raw: RawOptions;
  load: () => Promise<LeafCommand<unknown>>;
}

type Loader = () => Promise<{ command: LeafCommand<unknown> }>;

const BOOLEAN_OPTIONS = new WeakSet<Option>();

/** A boolean option pvenode-style: bare, or with 1/0/yes/no/true/false/on/off; off unless given. */
function bool(flags: string, description: string): Option {
  const option = new Option(`${flags} [<bool>]`, `${description} (default: no)`);
  BOOLEAN_OPTIONS.add(option);
  return option;
}

/** A list option that may be repeated; values are joined with ','. */
function list(flags: string, description: string): Option {
  return new Option(flags, description).argParser((value: string, previous: string | undefined) => (previous ? `${previous},${value}` : value));
}

/** Examples for the top-level help and the man page: [what it does, the command]. */
export const EXAMPLES: readonly (readonly [string, string])[] = [
  ["register an account with Let's Encrypt (asks for nothing)", 'certnode acme account register default admin@example.com \\\n      --directory letsencrypt --agree-tos'],
  ['two names, validated over http-01 (the built-in listener, port 80)', "certnode config set --acme 'domains=example.com;www.example.com'"],
  ['order the certificate, then look at it', 'certnode acme cert order && certnode cert info'],
  ['a DNS plugin (acme.sh dnsapi script dns_cf.sh) and a wildcard through it', "certnode acme plugin add dns cloudflare --api cf --data /root/cf.data\n  certnode config set --acmedomain0 '*.example.com,plugin=cloudflare'"],
  ['reload nginx after every new certificate', 'certnode config set --reload-command "systemctl reload nginx"'],
  ['what the daily timer runs: renews only when due', 'certnode --quiet acme cert renew'],
];

/**
 * The command tree. `output` (commander's output configuration) and the exit override are set on
 * the program before any subcommand exists: commander copies both to each command it creates, so
 * the lazily declared groups below get them too.
 */
export function buildProgram(version: string, onInvoke: (inv: Invocation) => void, output?: OutputConfiguration): Command {
  const program = new Command('certnode')
    .description("Get and keep this host's TLS certificates through ACME (RFC 8555).")
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--config-dir <dir>', 'configuration directory (env CERTNODE_CONFIG_DIR; default: /etc/certnode)'))
    .addOption(
      new Option(
        '--layout <layout>',
        "the tree's layout: certnode, pve (/etc/pve: nodes/<node>/config, priv/acme/) or pbs (/etc/proxmox-backup) (env CERTNODE_LAYOUT; default: told from the tree, certnode when it is new)",
      ),
    )
    .addOption(
      new Option(
        '--node <name>',
        'the node to act as, in a cluster tree (<config-dir>/nodes/<node>/) or the pve layout; config get and cert info read another node this way (env CERTNODE_NODE; default: the short host name)',
      ),
    )
    .addOption(new Option('--output-format <format>', 'text, json or json-pretty (env CERTNODE_OUTPUT_FORMAT; default: text)'))
    .addOption(bool('--noborder', 'do not draw table borders'))
    .addOption(bool('--noheader', 'do not print table column headers'))
    .addOption(bool('--quiet', 'print nothing but errors'))
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      `\nBooleans take 1/0/yes/no/true/false/on/off or stand bare; -option works like\n--option; subcommands may be abbreviated (certnode acme plug li).\n\nExamples:\n${EXAMPLES.map(([what, cmd]) => `  # ${what}\n  ${cmd}\n`).join('')}\nMore: certnode <command> --help, man certnode.`,
    );
  if (output) program.configureOutput(output);
  program.exitOverride();

  const leaf = (parent: Command, name: string, description: string, load: Loader): Command => {
    const cmd = parent.command(name).description(description);
    cmd.action((...params: unknown[]) => {
      const self = params.at(-1) as Command;
      // a variadic argument (<domains...>) arrives as an array
      const args = params.slice(0, self.registeredArguments.length).flat().filter((a): a is string => typeof a === 'string');
      onInvoke({ command: self, args, raw: self.opts() as RawOptions, load: async () => (await load()).command });
    });
    return cmd;
  };
  group(program, 'acme', 'ACME accounts, challenge plugins and certificates', (acme) => acmeCommands(acme, leaf));
  group(program, 'cert', 'the installed TLS certificate and key (node.cfg cert-file, cert-key-file)', (cert) => certCommands(cert, leaf));
  group(program, 'config', 'node configuration (node.cfg)', (config) => configCommands(config, leaf));
  return program;
}

type Leaf = (parent: Command, name: string, description: string, load: Loader) => Command;

/**
 * A command group whose subcommands are declared when something first looks at them —
 * commander's parsing and help, argv normalization, the man page and completion all do, through
 * `commands`. So `certnode --help` declares three groups, `acme plugin list` the plugin commands,
 * and neither pays for the ~40 other commands and their ~200 options.
 */
function group(parent: Command, name: string, description: string, declare: (group: Command) => void): Command {
  const cmd = parent.command(name).description(description);
  const commands: Command[] = [];
  let declared = false;
  Object.defineProperty(cmd, 'commands', {
    configurable: true,
    enumerable: true,
    get(): Command[] {
      if (!declared) {
        declared = true;
        declare(cmd);
      }
      return commands;
    },
  });
  return cmd;
}

function acmeCommands(acme: Command, leaf: Leaf): void {
  group(acme, 'account', 'ACME accounts (acme/accounts/<name>)', (account) => accountCommands(account, leaf));
  leaf(acme, 'directories', 'list the known ACME directory endpoints', () => import('./acme/directories.ts'));
  group(acme, 'cert', 'order, renew and revoke the node certificate through ACME', (acmeCert) => acmeCertCommands(acmeCert, leaf));
  group(acme, 'plugin', 'ACME challenge plugins (acme/plugins.cfg)', (plugin) => pluginCommands(plugin, leaf));
}

function accountCommands(account: Command, leaf: Leaf): void {
  leaf(account, 'list', 'list the ACME accounts', () => import('./acme/account/list.ts'));
  leaf(account, 'register', 'register a new ACME account with a CA', () => import('./acme/account/register.ts'))
    .argument('[name]', "account name (default 'default')")
    .argument('<contact>', 'contact e-mail addresses (separated by , ; or spaces)')
    .addOption(new Option('--directory <id|url>', `ACME directory: a known CA's id (${KNOWN_DIRECTORIES.map((d) => d.id).join(', ')}) or a directory URL (default: choose from a menu)`))
    .addOption(bool('--agree-tos', "agree to the CA's terms of service without asking"))
    .addOption(new Option('--eab-kid <id>', 'external account binding key id; its HMAC key comes from --eab-hmac-key-file, CERTNODE_EAB_HMAC_KEY or the prompt/stdin (default: none; asked for when the CA requires EAB)'))
    .addOption(new Option('--eab-hmac-key-file <file>', 'file holding the EAB HMAC key, base64url on one line; recommended (default: none)'))
    .addOption(new Option('--eab-hmac-key <key>', 'the EAB HMAC key itself - visible to every local user in ps; prefer --eab-hmac-key-file (default: none)'))
    .addOption(new Option('--key-type <type>', `account key: ${KEY_TYPES.join(', ')} (default: ${DEFAULT_KEY_TYPE})`));
  leaf(account, 'info', 'show an ACME account (key type included) and what its CA offers: profiles, ARI, key rollover, EAB, terms of service', () => import('./acme/account/info.ts')).argument('[name]', "account name (default 'default')");
  leaf(account, 'update', "change an account's contact, or refresh it from the CA", () => import('./acme/account/update.ts'))
    .argument('[name]', "account name (default 'default')")
    .addOption(list('--contact <list>', 'new contact e-mail addresses (default: keep them; refresh from the CA)'));
  leaf(account, 'rollover', 'replace the account key at the CA (RFC 8555 key change), then in the account file', () => import('./acme/account/rollover.ts'))
    .argument('[name]', "account name (default 'default')")
    .addOption(new Option('--key-type <type>', `new key: ${KEY_TYPES.join(', ')} (default: the current key's type)`));
  leaf(account, 'deactivate', 'deactivate an account at the CA and retire its file', () => import('./acme/account/deactivate.ts'))
    .argument('[name]', "account name (default 'default')")
    .addOption(bool('--force', 'retire the account file even when the CA refuses the deactivation'))
    .addOption(bool('--yes', 'do not ask before deactivating the account node.cfg uses (asked on a terminal only)'));
}

function acmeCertCommands(acmeCert: Command, leaf: Leaf): void {
  leaf(acmeCert, 'persist-record', 'the dns-persist-01 TXT records the configured names need: show them, publish them once (--apply) or remove them', () => import('./acme/cert/persist-record.ts'))
    .argument('[domains...]', 'only these configured names (default: every name with challenge=dns-persist-01)')
    .addOption(bool('--apply', "publish the records through each domain's dns plugin and check they are visible (default: no, only show them)"))
    .addOption(bool('--remove', "remove the records through each domain's dns plugin (default: no)"));
  const dryRun = (): Option =>
    bool('--dry-run', "place a real order and have the CA validate every name, then stop before finalizing: nothing issued or installed; counts against the CA's validation limits (default: no)");
  leaf(acmeCert, 'order', 'order a certificate for the configured domains and install it', () => import('./acme/cert/order.ts'))
    .addOption(bool('--force', 'overwrite an existing custom certificate, one set with cert set (default: no)'))
    .addOption(dryRun());
  leaf(acmeCert, 'renew', 'renew the ACME certificate when it is due (a third of its lifetime left, half for short-lived ones)', () => import('./acme/cert/renew.ts'))
    .addOption(bool('--force', 'renew even when the certificate is not due, or the CA rate-limited the last try (default: no)'))
    .addOption(dryRun())
    .addOption(bool('--check', 'print what renew would decide (due or not, why, from when) and exit 0; orders nothing (default: no)'));
  leaf(acmeCert, 'revoke', 'revoke the installed ACME certificate and fall back to a self-signed one', () => import('./acme/cert/revoke.ts')).addOption(
    new Option('--reason <reason>', 'unspecified, keyCompromise, affiliationChanged, superseded or cessationOfOperation, or the RFC 5280 code (default: none sent, which the CA takes as unspecified)'),
  ).addOption(bool('--yes', 'do not ask before revoking (asked on a terminal only)'));
}

function pluginCommands(plugin: Command, leaf: Leaf): void {
  leaf(plugin, 'list', 'list the challenge plugins', () => import('./acme/plugin/list.ts')).addOption(
    new Option('--type <type>', 'only plugins of this type: dns or standalone (default: all)'),
  );
  leaf(plugin, 'config', "show one plugin's configuration", () => import('./acme/plugin/config.ts')).argument('<id>', 'plugin id');
  const pluginOptions = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--api <api>', 'DNS API (acme.sh dnsapi name, e.g. cf, ovh, nsupdate); dns plugins only, required for them'))
      .addOption(new Option('--data <file>', "file with one KEY=VALUE per line ('-' reads stdin); stored base64url-encoded (default: none; on a terminal add asks for the fields)"))
      .addOption(new Option('--validation-delay <seconds>', 'longest wait for DNS propagation, 0..172800 (default 30); dns plugins only'))
      .addOption(
        new Option('--propagation <mode>', "check: poll the zone's name servers until they serve the record (default); sleep: wait validation-delay seconds (split-horizon DNS); dns plugins only"),
      )
      .addOption(bool('--disable', 'flag to disable the config'))
      .addOption(list('--nodes <list>', 'list of node names the plugin is meant for (default: all nodes)'))
      .addOption(new Option('--port <port>', 'TCP port of the listener (default 80 for http-01, 443 for tls-alpn-01); standalone plugins only'))
      .addOption(new Option('--address <ip>', 'address of the listener (default all addresses); standalone plugins only'))
      .addOption(new Option('--challenge <type>', 'http-01 (default) or tls-alpn-01 (RFC 8737: a TLS listener, for hosts whose port 80 is closed); standalone plugins only'));
  pluginOptions(
    leaf(plugin, 'add', 'add a challenge plugin', () => import('./acme/plugin/add.ts'))
      .argument('<type>', 'plugin type: dns or standalone')
      .argument('<id>', 'plugin id'),
  );
  pluginOptions(leaf(plugin, 'set', 'change a challenge plugin', () => import('./acme/plugin/set.ts')).argument('<id>', 'plugin id'))
    .addOption(list('--delete <list>', 'options to remove, comma, space or ; separated (default: none)'))
    .addOption(new Option('--digest <digest>', "refuse the change if plugins.cfg's digest differs (as shown by plugin config; default: no check)"))
    .addOption(
      bool('--side', "in a pve or pbs tree, write certnode's side file (certnode-plugins.cfg beside plugins.cfg) instead: the settings PVE or PBS would drop or reject (propagation, port, address, challenge)"),
    );
  leaf(plugin, 'remove', 'remove a challenge plugin', () => import('./acme/plugin/remove.ts')).argument('<id>', 'plugin id');
  leaf(plugin, 'test', "try a dns plugin without a CA: add a random TXT record, check it on the zone's name servers, remove it", () => import('./acme/plugin/test.ts'))
    .argument('<id>', 'plugin id (a dns plugin)')
    .argument('<domain>', 'the name to test (the record is _acme-challenge.<domain>)')
    .addOption(new Option('--alias <domain>', 'set the record at _acme-challenge.<alias> instead, alias mode (default: none, the domain itself)'));
  leaf(plugin, 'apis', 'list the DNS API scripts found (or one, with its fields)', () => import('./acme/plugin/apis.ts')).argument(
    '[api]',
    'DNS API name (dns_<api>.sh); shows its info and fields',
  );
}

function certCommands(cert: Command, leaf: Leaf): void {
  leaf(cert, 'info', 'show the installed certificate and its backup (<file>.old)', () => import('./cert/info.ts'));
  leaf(cert, 'set', 'install a custom certificate chain and key (the previous pair is kept as <file>.old)', () => import('./cert/set.ts'))
    .argument('<certificates-file>', 'PEM certificate chain, leaf first')
    .argument('[key-file]', 'PEM private key (unencrypted); default: keep the installed key')
    .addOption(bool('--force', 'replace an installed custom or ACME certificate'))
    .addOption(bool('--restart', 'run the reload command (node.cfg reload-command) afterwards'));
  leaf(cert, 'delete', 'remove the custom certificate; a self-signed one takes its place', () => import('./cert/delete.ts')).addOption(
    bool('--restart', 'run the reload command (node.cfg reload-command) afterwards'),
  );
  leaf(cert, 'update', 'create the self-signed default certificate when none is installed', () => import('./cert/update.ts')).addOption(
    bool('--force', 'replace the installed certificate, even a custom or ACME one'),
  );
}

function configCommands(config: Command, leaf: Leaf): void {
  leaf(config, 'get', "show the node configuration (another node's with --node)", () => import('./config/get.ts'))
    .addOption(new Option('--property <key>', 'show only this key (default: all)'))
    .addOption(bool('--side', "show certnode's side file of a pve or pbs tree (the settings Proxmox cannot hold) instead of the Proxmox node file"));
  const set = leaf(config, 'set', 'change the node configuration', () => import('./config/set.ts'))
    .addOption(
      new Option(
        '--acme <propstring>',
        `node ACME settings, comma separated: account=<name> (default: default), domains=<domain>[;<domain>...] (validated with the standalone plugin; quote the ';' in a shell), ` +
          `keytype=<${KEY_TYPES.join('|')}> (the certificate key; default: ${DEFAULT_KEY_TYPE}), profile=<name> (the CA's ACME profile, e.g. shortlived; default: the CA's), ` +
          `preferred-chain=<issuer CN> (the alternate chain whose root has this name, e.g. "ISRG Root X1"; default: the CA's first chain)`,
      ),
    )
    .addOption(
      new Option('--acmedomain0 <propstring>', `[domain=]<domain>[,alias=<domain>][,plugin=<id>] (plugin default: standalone); slots --acmedomain0 .. --acmedomain${MAX_DOMAIN_SLOT}`),
    );
  for (let i = 1; i <= MAX_DOMAIN_SLOT; i++) set.addOption(new Option(`--acmedomain${i} <propstring>`).hideHelp());
  set
    .addOption(new Option('--cert-file <path>', 'absolute path of the installed certificate chain (default <config-dir>/certs/certnode.pem)'))
    .addOption(new Option('--cert-key-file <path>', 'absolute path of the installed private key (default <config-dir>/certs/certnode.key)'))
    .addOption(
      new Option(
        '--reload-command <command>',
        'shell command (/bin/sh -c) run after a certificate is installed, e.g. "systemctl reload nginx"; it gets CERTNODE_CERT_FILE and CERTNODE_KEY_FILE (default: none)',
      ),
    )
    .addOption(new Option('--dnsapi-dir <path>', "directory with acme.sh's dns_<api>.sh scripts, searched after CERTNODE_DNSAPI_DIR and before the usual places (default: none)"))
    .addOption(
      new Option(
        '--notify-command <command>',
        'shell command (/bin/sh -c, 60 s limit) run after an order, renewal or revocation outcome (see --notify-on); it gets CERTNODE_EVENT, CERTNODE_DOMAINS, CERTNODE_NOT_AFTER, CERTNODE_ERROR (default: none)',
      ),
    )
    .addOption(new Option('--notify-mailto <list>', "mail addresses told of the same outcomes, through the host's sendmail, with the task log's tail (default: none)"))
    .addOption(
      new Option(
        '--notify-on <list>',
        'which outcomes notify: failures (default: order-failed, renew-failed, revoke-failed, reload-failed, and the first success after a failure), all, or event names (ordered, renewed, revoked, ...)',
      ),
    )
    .addOption(new Option('--metrics-file <path>', "absolute path of a Prometheus textfile (*.prom) for node_exporter's textfile collector, rewritten after every order, renew (due or not), renew --check and revoke (default: none)"))
    .addOption(new Option('--description <text>', 'description of the node (the # lines of node.cfg; default: none)'))
    .addOption(list('--delete <list>', 'keys to remove, comma, space or ; separated (default: none)'))
    .addOption(new Option('--digest <digest>', "refuse the change if node.cfg's digest differs (default: no check)"))
    .addOption(
      bool(
        '--side',
        "in a pve or pbs tree, write certnode's side file (nodes/<node>/certnode.cfg, certnode.cfg) instead of the Proxmox node file: the settings PVE or PBS would drop or reject (keytype, profile, preferred-chain, wildcards, challenge=, more domain slots, cert-file, reload-command, notify-*, ...)",
      ),
    );
}


/** The view of the tree that argv normalization needs; a group's part is made when it is walked into. */
export function commandNode(cmd: Command): CommandNode {
  let subcommands: CommandNode[] | undefined;
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    get subcommands(): CommandNode[] {
      subcommands ??= cmd.commands.map(commandNode);
      return subcommands;
    },
    options: cmd.options.map(
      (o): OptionNode => ({
        long: o.long,
        short: o.short,
        takesValue: (o.required || o.optional) && !BOOLEAN_OPTIONS.has(o),
        isBoolean: BOOLEAN_OPTIONS.has(o),
      }),
    ),
  };
}

/** pvenode-style usage line: `certnode acme plugin add <type> <id> [OPTIONS]`. */
export function usageLine(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  const args = cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[<${a.name()}>]`));
  const sub = cmd.commands.length > 0 ? ['<command>'] : [];
  return ['certnode', ...names.slice(1), ...sub, ...args, '[OPTIONS]'].join(' ');
}

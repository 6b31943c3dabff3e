// The command tree. Leaf modules are imported only when their command runs.

import { Command, Option } from 'commander';
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

/** A boolean option pvenode-style: bare, or with 1/0/yes/no/true/false/on/off. */
function bool(flags: string, description: string): Option {
  const option = new Option(`${flags} [<bool>]`, description);
  BOOLEAN_OPTIONS.add(option);
  return option;
}

/** A list option that may be repeated; values are joined with ','. */
function list(flags: string, description: string): Option {
  return new Option(flags, description).argParser((value: string, previous: string | undefined) => (previous ? `${previous},${value}` : value));
}

export function buildProgram(version: string, onInvoke: (inv: Invocation) => void): Command {
  const program = new Command('certnode')
    .description("Get and keep this host's TLS certificates through ACME (RFC 8555).")
    .version(version, '--version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .addOption(new Option('--config-dir <dir>', 'configuration directory (env CERTNODE_CONFIG_DIR, default /etc/certnode)'))
    .addOption(new Option('--output-format <format>', 'text, json or json-pretty (env CERTNODE_OUTPUT_FORMAT, default text)'))
    .addOption(bool('--noborder', 'do not draw table borders'))
    .addOption(bool('--noheader', 'do not print table column headers'))
    .addOption(bool('--quiet', 'print nothing but errors'))
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .addHelpText(
      'after',
      '\nBooleans take 1/0/yes/no/true/false/on/off or stand bare; -option works like --option;\nsubcommands may be abbreviated to a unique prefix (certnode acme plug li).',
    );

  const leaf = (parent: Command, name: string, description: string, load: Loader): Command => {
    const cmd = parent.command(name).description(description);
    cmd.action((...params: unknown[]) => {
      const self = params.at(-1) as Command;
      const args = params.slice(0, self.registeredArguments.length).filter((a): a is string => typeof a === 'string');
      onInvoke({ command: self, args, raw: self.opts() as RawOptions, load: async () => (await load()).command });
    });
    return cmd;
  };
  const group = (parent: Command, name: string, description: string): Command => parent.command(name).description(description);

  const acme = group(program, 'acme', 'ACME accounts, challenge plugins and certificates');

  const account = group(acme, 'account', 'ACME accounts (acme/accounts/<name>)');
  leaf(account, 'list', 'list the ACME accounts', () => import('./acme/account/list.ts'));
  leaf(account, 'register', 'register a new ACME account with a CA', () => import('./acme/account/register.ts'))
    .argument('[name]', "account name (default 'default')")
    .argument('<contact>', 'contact e-mail addresses (separated by , ; or spaces)')
    .addOption(new Option('--directory <url>', 'ACME directory URL (default: choose from a menu)'))
    .addOption(bool('--agree-tos', "agree to the CA's terms of service without asking"))
    .addOption(new Option('--eab-kid <id>', 'external account binding key id; its HMAC key comes from --eab-hmac-key-file, CERTNODE_EAB_HMAC_KEY or the prompt (stdin)'))
    .addOption(new Option('--eab-hmac-key-file <file>', 'file holding the EAB HMAC key (base64url, one line); recommended'))
    .addOption(new Option('--eab-hmac-key <key>', 'the EAB HMAC key itself - visible to every local user in ps; prefer --eab-hmac-key-file'))
    .addOption(new Option('--key-type <type>', 'account key: ec-256 (default), ec-384, rsa-2048, rsa-3072 or rsa-4096'));
  leaf(account, 'info', 'show an ACME account', () => import('./acme/account/info.ts')).argument('[name]', "account name (default 'default')");
  leaf(account, 'update', "change an account's contact, or refresh it from the CA", () => import('./acme/account/update.ts'))
    .argument('[name]', "account name (default 'default')")
    .addOption(list('--contact <list>', 'new contact e-mail addresses'));
  leaf(account, 'deactivate', 'deactivate an account at the CA and retire its file', () => import('./acme/account/deactivate.ts'))
    .argument('[name]', "account name (default 'default')")
    .addOption(bool('--force', 'retire the account file even when the CA refuses the deactivation'));
  leaf(acme, 'directories', 'list the known ACME directory endpoints', () => import('./acme/directories.ts'));

  const acmeCert = group(acme, 'cert', 'order, renew and revoke the node certificate through ACME');
  leaf(acmeCert, 'order', 'order a certificate for the configured domains and install it', () => import('./acme/cert/order.ts')).addOption(
    bool('--force', 'overwrite an existing custom certificate (one set with cert set)'),
  );
  leaf(acmeCert, 'renew', 'renew the ACME certificate when it is due (a third of its lifetime left, half for short-lived ones)', () => import('./acme/cert/renew.ts')).addOption(
    bool('--force', 'renew even when the certificate is not due'),
  );
  leaf(acmeCert, 'revoke', 'revoke the installed ACME certificate and fall back to a self-signed one', () => import('./acme/cert/revoke.ts')).addOption(
    new Option('--reason <reason>', 'unspecified, keyCompromise, affiliationChanged, superseded or cessationOfOperation (or the RFC 5280 code)'),
  );

  const plugin = group(acme, 'plugin', 'ACME challenge plugins (acme/plugins.cfg)');
  leaf(plugin, 'list', 'list the challenge plugins', () => import('./acme/plugin/list.ts')).addOption(
    new Option('--type <type>', 'only plugins of this type (dns or standalone)'),
  );
  leaf(plugin, 'config', "show one plugin's configuration", () => import('./acme/plugin/config.ts')).argument('<id>', 'plugin id');
  const pluginOptions = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--api <api>', 'DNS API (acme.sh dnsapi name, e.g. cf, ovh, nsupdate); dns plugins only'))
      .addOption(new Option('--data <file>', "file with one KEY=VALUE per line ('-' reads stdin); stored base64url-encoded"))
      .addOption(new Option('--validation-delay <seconds>', 'longest wait for DNS propagation, 0..172800 (default 30); dns plugins only'))
      .addOption(
        new Option('--propagation <mode>', "check: poll the zone's name servers until they serve the record (default); sleep: wait validation-delay seconds (split-horizon DNS); dns plugins only"),
      )
      .addOption(bool('--disable', 'flag to disable the config'))
      .addOption(list('--nodes <list>', 'list of node names the plugin is meant for'))
      .addOption(new Option('--port <port>', 'TCP port of the http-01 listener (default 80); standalone plugins only'))
      .addOption(new Option('--address <ip>', 'address of the http-01 listener (default all addresses); standalone plugins only'));
  pluginOptions(
    leaf(plugin, 'add', 'add a challenge plugin', () => import('./acme/plugin/add.ts'))
      .argument('<type>', 'plugin type: dns or standalone')
      .argument('<id>', 'plugin id'),
  );
  pluginOptions(leaf(plugin, 'set', 'change a challenge plugin', () => import('./acme/plugin/set.ts')).argument('<id>', 'plugin id'))
    .addOption(list('--delete <list>', 'options to remove (comma, space or ; separated)'))
    .addOption(new Option('--digest <digest>', "refuse the change if plugins.cfg's digest differs (as shown by plugin config)"));
  leaf(plugin, 'remove', 'remove a challenge plugin', () => import('./acme/plugin/remove.ts')).argument('<id>', 'plugin id');
  leaf(plugin, 'apis', 'list the DNS API scripts found (or one, with its fields)', () => import('./acme/plugin/apis.ts')).argument(
    '[api]',
    'DNS API name (dns_<api>.sh); shows its info and fields',
  );

  const cert = group(program, 'cert', 'the installed TLS certificate and key (node.cfg cert-file, cert-key-file)');
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

  const config = group(program, 'config', 'node configuration (node.cfg)');
  leaf(config, 'get', 'show the node configuration', () => import('./config/get.ts')).addOption(
    new Option('--property <key>', 'show only this key'),
  );
  const set = leaf(config, 'set', 'change the node configuration', () => import('./config/set.ts'))
    .addOption(
      new Option(
        '--acme <propstring>',
        `[account=<name>][,domains=<domain>[;<domain>...]][,keytype=<${KEY_TYPES.join('|')}>][,profile=<name>][,preferred-chain=<issuer CN>] (domains use the standalone plugin; keytype of the certificate key, default ${DEFAULT_KEY_TYPE}; profile: the CA's ACME profile to order with, e.g. shortlived, checked against the profiles the CA offers; preferred-chain: install the alternate chain whose root has this common name, e.g. "ISRG Root X1", when the CA offers one)`,
      ),
    )
    .addOption(new Option('--acmedomain0 <propstring>', `[domain=]<domain>[,alias=<domain>][,plugin=<id>]; also --acmedomain1 ... --acmedomain${MAX_DOMAIN_SLOT}`));
  for (let i = 1; i <= MAX_DOMAIN_SLOT; i++) set.addOption(new Option(`--acmedomain${i} <propstring>`).hideHelp());
  set
    .addOption(new Option('--cert-file <path>', 'absolute path of the installed certificate chain (default <config-dir>/certs/certnode.pem)'))
    .addOption(new Option('--cert-key-file <path>', 'absolute path of the installed private key (default <config-dir>/certs/certnode.key)'))
    .addOption(
      new Option(
        '--reload-command <command>',
        'shell command (/bin/sh -c) run after a certificate is installed, e.g. "systemctl reload nginx"; it gets CERTNODE_CERT_FILE and CERTNODE_KEY_FILE',
      ),
    )
    .addOption(new Option('--dnsapi-dir <path>', "directory with acme.sh's dns_<api>.sh scripts, searched after CERTNODE_DNSAPI_DIR and before the usual places"))
    .addOption(new Option('--description <text>', 'description of the node (the # lines of node.cfg)'))
    .addOption(list('--delete <list>', 'keys to remove (comma, space or ; separated)'))
    .addOption(new Option('--digest <digest>', "refuse the change if node.cfg's digest differs"));

  configureTree(program);
  return program;
}

function configureTree(cmd: Command): void {
  cmd.exitOverride();
  for (const sub of cmd.commands) configureTree(sub);
}

/** The view of the tree that argv normalization needs. */
export function commandNode(cmd: Command): CommandNode {
  return {
    name: cmd.name(),
    aliases: cmd.aliases(),
    subcommands: cmd.commands.map(commandNode),
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

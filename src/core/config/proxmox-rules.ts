// What the Proxmox parsers accept, so that certnode never writes a setting that PVE or PBS would
// drop or reject into their files (pure). Learned from pve-manager's PVE/NodeConfig.pm and
// PVE/API2/ACMEPlugin.pm (the parser warns about and drops a key whose value fails its format:
// the whole `acme` line for an unknown property), and from proxmox-backup's node config and
// plugin schemas (an unknown key or a bad value rejects the whole file).
//
// What certnode knows beyond Proxmox goes into certnode's side files (nodeSideCfg, pluginsSideCfg):
// `config set --side`, `acme plugin set --side`.

import { ConfigError, UsageError } from '../errors.ts';
import type { Layout } from '../paths.ts';
import { identifierKind } from './formats.ts';
import { ACME_SCHEMA, DOMAIN_SCHEMA, isDomainKey } from './node.ts';
import type { NodeConfig } from './node-cfg.ts';
import type { PluginInput } from './plugins.ts';
import type { PluginsConfig } from './plugins-cfg.ts';
import { parsePropertyString } from './property-string.ts';

export type ProxmoxLayout = Exclude<Layout, 'certnode'>;

/** PVE: acmedomain0 .. acmedomain5 (NodeConfig.pm's $MAXDOMAINS); PBS: acmedomain0 .. acmedomain4. */
export const PROXMOX_MAX_DOMAIN_SLOT: Record<ProxmoxLayout, number> = { pve: 5, pbs: 4 };
/** The properties of `acme` each product knows. */
const ACME_KEYS: Record<ProxmoxLayout, readonly string[]> = { pve: ['account', 'domains'], pbs: ['account'] };
/** The properties of `acmedomainN` both products know. */
const DOMAIN_KEYS: readonly string[] = ['domain', 'alias', 'plugin'];
/** The node settings of each product certnode writes (besides acme and acmedomainN). */
const NODE_KEYS: readonly string[] = ['description'];
/** The `acme` properties only certnode knows: the side file's. */
export const SIDE_ACME_KEYS: readonly string[] = ACME_SCHEMA.keys.filter((k) => k !== 'account' && k !== 'domains');

/** The plugin properties each product knows, by type. */
const PLUGIN_KEYS: Record<ProxmoxLayout, Record<string, readonly string[]>> = {
  pve: { dns: ['api', 'data', 'disable', 'nodes', 'validation-delay'], standalone: ['disable', 'nodes'] },
  pbs: { dns: ['api', 'data', 'disable', 'validation-delay'], standalone: [] },
};

const PRODUCT: Record<ProxmoxLayout, string> = { pve: 'PVE', pbs: 'PBS' };

/** A value as a shell would need it typed in the suggested command. */
function shellQuote(s: string): string {
  return /^[A-Za-z0-9_\/.,:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** How each product reacts to what it cannot parse. */
function drops(layout: ProxmoxLayout, what: string): string {
  return layout === 'pve' ? `PVE drops ${what}` : `PBS rejects the whole node.cfg for ${what}`;
}

function sideHint(key: string, value: string): string {
  return `set it in certnode's side file instead: certnode config set --side --${key} ${shellQuote(value)}`;
}

/**
 * Why the Proxmox node file of `layout` cannot hold `key: value` (one line naming the Proxmox
 * limitation and where the setting can go), or undefined when it can. `value` is valid for certnode.
 */
export function nodeSettingRefusal(layout: ProxmoxLayout, key: string, value: string): string | undefined {
  const product = PRODUCT[layout];
  if (key === 'acme') {
    const props = parsePropertyString(value, ACME_SCHEMA, key);
    const foreign = [...props.keys()].filter((k) => !ACME_KEYS[layout].includes(k));
    const sideOnly = foreign.filter((k) => SIDE_ACME_KEYS.includes(k));
    if (foreign.length > 0) {
      const what = layout === 'pve' ? `the whole 'acme' line when it holds '${foreign[0]}'` : `'${foreign[0]}' in 'acme'`;
      const knows = layout === 'pve' ? "PVE's acme setting knows only account and domains" : "PBS's acme setting knows only account";
      const hint =
        sideOnly.length > 0
          ? sideHint('acme', sideOnly.map((k) => `${k}=${props.get(k)!}`).join(','))
          : 'list the domains as acmedomain0 .. acmedomain4 (plugin standalone by default)';
      return `${drops(layout, what)} (${knows}) - ${hint}`;
    }
    if (layout === 'pbs' && !props.has('account')) {
      return `${drops(layout, "an 'acme' line without 'account'")} (account is required there) - add account=default`;
    }
    for (const domain of (props.get('domains') ?? '').split(';').filter(Boolean)) {
      const refusal = domainRefusal(layout, domain);
      if (refusal) return `PVE drops the whole 'acme' line when a domain is ${refusal} - configure it as an acmedomainN in certnode's side file: certnode config set --side --acmedomainN ${shellQuote(domain)}`;
    }
    return undefined;
  }
  if (isDomainKey(key)) {
    const slot = Number(key.slice('acmedomain'.length));
    const max = PROXMOX_MAX_DOMAIN_SLOT[layout];
    if (slot > max) return `${drops(layout, `'${key}'`)} (${product} knows acmedomain0 .. acmedomain${max}) - ${sideHint(key, value)}`;
    const props = parsePropertyString(value, DOMAIN_SCHEMA, key);
    const foreign = [...props.keys()].find((k) => !DOMAIN_KEYS.includes(k));
    if (foreign !== undefined) return `${drops(layout, `'${key}' when it holds '${foreign}'`)} (${product} knows domain, alias and plugin) - ${sideHint(key, value)}`;
    const refusal = domainRefusal(layout, props.get('domain') ?? '');
    if (refusal) return `${drops(layout, `'${key}'`)}: its domain is ${refusal} - ${sideHint(key, value)}`;
    const alias = props.get('alias');
    if (alias !== undefined && layout === 'pbs' && !PBS_ALIAS.test(alias)) {
      return `${drops(layout, `'${key}'`)}: its alias '${alias}' is no DNS_ALIAS (labels of letters, digits, '-', '_' first only) - ${sideHint(key, value)}`;
    }
    if (alias !== undefined && layout === 'pve' && !PVE_ALIAS.test(alias)) {
      return `${drops(layout, `'${key}'`)}: its alias '${alias}' is no pve-acme-alias (two or more labels of letters, digits, '_', '-') - ${sideHint(key, value)}`;
    }
    return undefined;
  }
  if (NODE_KEYS.includes(key)) return undefined;
  return `${drops(layout, `'${key}'`)} (not a ${product} node setting) - ${sideHint(key, value)}`;
}

const PVE_DOMAIN = /^[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)+$/i;
const PVE_ALIAS = /^[a-z0-9_][a-z0-9_-]*(?:\.[a-z0-9_][a-z0-9_-]*)+$/i;
const PBS_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const PBS_DOMAIN = new RegExp(`^${PBS_LABEL}(?:\\.${PBS_LABEL})*$`);
const PBS_ALIAS = new RegExp(`^[A-Za-z0-9_](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.${PBS_LABEL})*$`);

/** Why the product's domain format refuses `domain` (a phrase), or undefined. */
function domainRefusal(layout: ProxmoxLayout, domain: string): string | undefined {
  const kind = identifierKind(domain);
  if (layout === 'pve') {
    if (kind === 'wildcard') return `the wildcard '${domain}' (pve-acme-domain takes no wildcards)`;
    if (kind === 'ip') return `the IP address '${domain}' (pve-acme-domain takes domain names only)`;
    if (!PVE_DOMAIN.test(domain)) return `'${domain}' (not a pve-acme-domain)`;
    return undefined;
  }
  if (kind === 'wildcard') return `the wildcard '${domain}' (DNS_NAME takes no wildcards)`;
  if (kind === 'ip' && domain.includes(':')) return `the IP address '${domain}' (DNS_NAME takes domain names only)`;
  if (!PBS_DOMAIN.test(domain)) return `'${domain}' (not a DNS_NAME)`;
  return undefined;
}

/** Why the side file cannot hold `key: value` (its place is the Proxmox file), or undefined. */
export function sideSettingRefusal(key: string, value: string, nodeCfg: string): string | undefined {
  if (key === 'description') return `the description belongs in '${nodeCfg}' - set it without --side`;
  if (key === 'acme') {
    const props = parsePropertyString(value, ACME_SCHEMA, key);
    const proxmox = [...props.keys()].filter((k) => !SIDE_ACME_KEYS.includes(k));
    if (proxmox.length > 0) return `'${proxmox[0]}' belongs in '${nodeCfg}', where Proxmox reads it - set it without --side`;
  }
  return undefined;
}

/**
 * The node's settings as certnode uses them: the Proxmox file's, plus the side file's. `acme`
 * joins the two property strings; any other key set in both is an error naming both files.
 */
export function mergeNodeSide(main: NodeConfig, side: NodeConfig, files: { main: string; side: string }): NodeConfig {
  const entries = new Map(main.entries);
  for (const [key, value] of side.entries) {
    const there = entries.get(key);
    if (there === undefined) entries.set(key, value);
    else if (key === 'acme') entries.set(key, [there, value].filter(Boolean).join(','));
    else throw new ConfigError(`'${key}' is set both here and in '${files.main}' - delete one of them`, files.side);
  }
  return { ...main, entries };
}

/**
 * Why the Proxmox plugins.cfg of `layout` cannot hold these plugin settings (one line), or
 * undefined. `type` is the plugin's type.
 */
export function pluginSettingRefusal(layout: ProxmoxLayout, type: string, id: string, input: PluginInput): string | undefined {
  const known = PLUGIN_KEYS[layout][type];
  if (known === undefined) return undefined; // the type's own check says what is wrong
  const product = PRODUCT[layout];
  for (const key of Object.keys(input) as (keyof PluginInput)[]) {
    if (input[key] === undefined || known.includes(key)) continue;
    const value = String(input[key]);
    const what = layout === 'pve' ? `PVE drops '${key}' from a ${type} plugin` : `PBS rejects the whole plugins.cfg for '${key}' in a ${type} plugin`;
    const has = known.length > 0 ? `${product}'s ${type} plugins know ${known.join(', ')}` : `${product}'s ${type} plugins have no settings`;
    if (key === 'nodes' || key === 'disable') return `${what} (${has})`;
    return `${what} (${has}) - set it in certnode's side file instead: certnode acme plugin set --side ${id} --${key} ${shellQuote(value)}`;
  }
  return undefined;
}

/** Where a PVE host lists the DNS APIs its plugins may name (package libproxmox-acme-plugins). */
export const PVE_DNS_SCHEMA_FILE = '/usr/share/proxmox-acme/dns-challenge-schema.json';

/**
 * PVE's `api` is an enum of that file's keys; a plugin naming another API fails PVE's parser,
 * which then drops the whole plugin (api is required). `schemaText` undefined (not a PVE host,
 * or no such file): nothing to check against.
 */
export function pveApiRefusal(api: string, schemaText: string | undefined, file = PVE_DNS_SCHEMA_FILE): string | undefined {
  if (schemaText === undefined) return undefined;
  let known: string[];
  try {
    known = Object.keys(JSON.parse(schemaText) as Record<string, unknown>);
  } catch {
    return undefined;
  }
  if (known.includes(api)) return undefined;
  return `PVE drops the whole plugin when its api is '${api}': not one of the DNS APIs in ${file} (${known.length} known)`;
}

/** The plugin settings only certnode knows: those the side plugins file holds. */
export const SIDE_PLUGIN_KEYS: readonly string[] = ['propagation', 'port', 'address', 'challenge'];

/** The plugins as certnode uses them: each plugin's side-file settings added to its section. */
export function mergePluginsSide(main: PluginsConfig, side: PluginsConfig, files: { main: string; side: string }): PluginsConfig {
  const sections = main.sections.map((s) => ({ ...s, props: new Map(s.props) }));
  for (const extra of side.sections) {
    const section = sections.find((s) => s.id === extra.id);
    // the side file's implicit standalone section (added by the parser) has nothing to add
    if (!section) {
      if (extra.props.size === 0) continue;
      throw new ConfigError(`plugin '${extra.id}' has settings here but no section in '${files.main}'`, files.side);
    }
    for (const [key, value] of extra.props) {
      if (section.props.has(key)) throw new ConfigError(`'${key}' of plugin '${extra.id}' is set both here and in '${files.main}' - delete one of them`, files.side);
      section.props.set(key, value);
    }
  }
  return { sections };
}

/** `--side` outside a Proxmox layout. */
export function sideNeedsProxmox(layout: Layout): UsageError {
  return new UsageError(`the ${layout} layout has no side file: its own files hold every setting (--side is for the pve and pbs layouts)`, 'side');
}

// The node configuration model: ACME settings and domains on top of node.cfg (pure).

import * as path from 'node:path';
import { checkKeyType, DEFAULT_KEY_TYPE, type KeyType } from '../cert/keys.ts';
import { UsageError } from '../errors.ts';
import { checkAlias, checkConfigId, checkDomain, splitStrictList, type IdentifierKind } from './formats.ts';
import type { NodeConfig } from './node-cfg.ts';
import { findPlugin } from './plugins.ts';
import { STANDALONE_ID, type PluginsConfig } from './plugins-cfg.ts';
import { parsePropertyString, type PropertySchema } from './property-string.ts';

/** Highest acmedomainN slot (PVE has 0..5; a certificate holds at most 100 names). */
export const MAX_DOMAIN_SLOT = 99;
export const DEFAULT_ACCOUNT = 'default';

export const ACME_SCHEMA: PropertySchema = { keys: ['account', 'domains', 'keytype', 'profile', 'preferred-chain'] };
export const DOMAIN_SCHEMA: PropertySchema = { keys: ['domain', 'alias', 'plugin', 'challenge'], defaultKey: 'domain' };

/**
 * The DNS validation methods a dns plugin can serve: dns-01 (RFC 8555), dns-account-01 (an
 * account-specific record name, draft-ietf-acme-dns-account-label) and dns-persist-01 (one
 * persistent record, draft-ietf-acme-dns-persist). `challenge=a|b` lists them by preference.
 */
export const DNS_CHALLENGES = ['dns-01', 'dns-account-01', 'dns-persist-01'] as const;
export type DnsChallenge = (typeof DNS_CHALLENGES)[number];

/** A name validated only by dns-persist-01: no script ever runs for it. */
export function isPersistOnly(domain: Pick<ConfiguredDomain, 'challenges'>): boolean {
  return domain.challenges?.length === 1 && domain.challenges[0] === 'dns-persist-01';
}

/** `dns-account-01|dns-01` -> ['dns-account-01', 'dns-01']: known types, each once, in preference order. */
export function parseChallengeChoice(value: string, param: string): DnsChallenge[] {
  const parts = value.split('|').map((p) => p.trim().toLowerCase());
  const choice: DnsChallenge[] = [];
  for (const part of parts) {
    if (!(DNS_CHALLENGES as readonly string[]).includes(part)) {
      throw new UsageError(`challenge '${part === '' ? value : part}' is not one of ${DNS_CHALLENGES.join(', ')} (several by preference: challenge=dns-account-01|dns-01)`, param);
    }
    if (choice.includes(part as DnsChallenge)) throw new UsageError(`challenge '${part}' is listed twice`, param);
    choice.push(part as DnsChallenge);
  }
  return choice;
}

/** An ACME profile name (RFC draft-aaron-acme-profiles: the keys of the directory's meta.profiles). */
const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const DOMAIN_KEY = /^acmedomain(\d+)$/;

/** Where the certificate goes and what runs after it is installed (paths absolute). */
export const CERT_FILE_KEY = 'cert-file';
export const CERT_KEY_FILE_KEY = 'cert-key-file';
export const RELOAD_COMMAND_KEY = 'reload-command';
/** Where acme.sh's dnsapi scripts are, before the usual install places. */
export const DNSAPI_DIR_KEY = 'dnsapi-dir';
/** Unattended operation: who hears of an outcome, and the Prometheus textfile. */
export const NOTIFY_COMMAND_KEY = 'notify-command';
export const NOTIFY_MAILTO_KEY = 'notify-mailto';
export const NOTIFY_ON_KEY = 'notify-on';
export const METRICS_FILE_KEY = 'metrics-file';

/** What an order, renewal or revocation ended with (CERTNODE_EVENT). */
export const NOTIFY_EVENTS = ['ordered', 'renewed', 'revoked', 'order-failed', 'renew-failed', 'revoke-failed', 'reload-failed'] as const;
export type NotifyEvent = (typeof NOTIFY_EVENTS)[number];
/** notify-on words besides event names: `failures` (the default: failures, and the first success after one), `all`. */
export const NOTIFY_ON_WORDS = ['failures', 'all'] as const;
/** An addr-spec with a dot-atom local part (RFC 5322): nothing that could end or start a header. */
const MAIL_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Keys `config set` accepts and `config get --property` knows, in help order. */
export function nodeConfigKeys(): string[] {
  return [
    'acme',
    ...Array.from({ length: MAX_DOMAIN_SLOT + 1 }, (_, i) => `acmedomain${i}`),
    CERT_FILE_KEY,
    CERT_KEY_FILE_KEY,
    RELOAD_COMMAND_KEY,
    DNSAPI_DIR_KEY,
    NOTIFY_COMMAND_KEY,
    NOTIFY_MAILTO_KEY,
    NOTIFY_ON_KEY,
    METRICS_FILE_KEY,
    'description',
  ];
}

export function isDomainKey(key: string): boolean {
  const m = DOMAIN_KEY.exec(key);
  return m !== null && String(Number(m[1])) === m[1] && Number(m[1]) <= MAX_DOMAIN_SLOT;
}

export interface ConfiguredDomain {
  /** As configured (case kept); compare lower-cased. */
  domain: string;
  kind: IdentifierKind;
  plugin: string;
  alias: string | undefined;
  /** `acme` or `acmedomainN`: where it was configured. */
  source: string;
  /** DNS validation methods by preference (`challenge=`); undefined: dns-01. */
  challenges?: DnsChallenge[] | undefined;
}

/** Validate one `acme` value as `config set` receives it. */
export function checkAcmeValue(value: string, param = 'acme'): Map<string, string> {
  const props = parsePropertyString(value, ACME_SCHEMA, param);
  const account = props.get('account');
  if (account !== undefined) checkConfigId(account, param);
  for (const domain of splitStrictList(props.get('domains') ?? '', param, 'domains')) checkDomain(domain, param);
  const keytype = props.get('keytype');
  if (keytype !== undefined) checkKeyType(keytype, `${param}: keytype`);
  const profile = props.get('profile');
  if (profile !== undefined && !PROFILE_NAME.test(profile)) throw new UsageError(`invalid profile name '${profile}'`, param);
  return props;
}

/** Validate a `cert-file`, `cert-key-file`, `reload-command`, `dnsapi-dir`, `notify-*` or `metrics-file` value (other keys pass). */
export function checkCertSettingValue(key: string, value: string): string {
  if (key === DNSAPI_DIR_KEY && !path.isAbsolute(value)) throw new UsageError(`value '${value}' is not an absolute path`, key);
  if (key === CERT_FILE_KEY || key === CERT_KEY_FILE_KEY) {
    if (!path.isAbsolute(value)) throw new UsageError(`value '${value}' is not an absolute path`, key);
    if (value.endsWith('/')) throw new UsageError(`value '${value}' names a directory, not a file`, key);
  }
  if (key === RELOAD_COMMAND_KEY && value.trim() === '') throw new UsageError('value must not be empty (use --delete reload-command)', key);
  if (key === NOTIFY_COMMAND_KEY && value.trim() === '') throw new UsageError('value must not be empty (use --delete notify-command)', key);
  if (key === NOTIFY_MAILTO_KEY) parseMailto(value);
  if (key === NOTIFY_ON_KEY) parseNotifyOn(value);
  if (key === METRICS_FILE_KEY) {
    if (!path.isAbsolute(value)) throw new UsageError(`value '${value}' is not an absolute path`, key);
    // node_exporter's textfile collector reads only *.prom files
    if (!value.endsWith('.prom')) throw new UsageError(`value '${value}' does not end in '.prom' (node_exporter's textfile collector reads only those)`, key);
  }
  return value;
}

/** `notify-mailto`: addresses separated by commas, semicolons or spaces; at least one. */
export function parseMailto(value: string): string[] {
  const list = value.split(/[\s,;]+/).filter(Boolean);
  if (list.length === 0) throw new UsageError('value must name at least one address (use --delete notify-mailto)', NOTIFY_MAILTO_KEY);
  for (const address of list) if (!MAIL_ADDRESS.test(address)) throw new UsageError(`invalid mail address '${address}'`, NOTIFY_MAILTO_KEY);
  return list;
}

/** `notify-on`: events and/or `failures` / `all`, separated by commas or spaces. */
export function parseNotifyOn(value: string): string[] {
  const list = value.split(/[\s,;]+/).filter(Boolean);
  if (list.length === 0) throw new UsageError('value must not be empty (use --delete notify-on for the default, failures)', NOTIFY_ON_KEY);
  const known: readonly string[] = [...NOTIFY_ON_WORDS, ...NOTIFY_EVENTS];
  for (const word of list) if (!known.includes(word)) throw new UsageError(`unknown event '${word}' - one of ${known.join(', ')}`, NOTIFY_ON_KEY);
  return list;
}

export interface UnattendedSettings {
  notifyCommand: string | undefined;
  notifyMailto: string[];
  /** Events and words of notify-on (default ['failures']). */
  notifyOn: string[];
  metricsFile: string | undefined;
}

/** The notification and metrics settings of a node. */
export function unattendedSettings(cfg: NodeConfig): UnattendedSettings {
  const get = (key: string): string | undefined => {
    const value = cfg.entries.get(key);
    return value === undefined ? undefined : checkCertSettingValue(key, value);
  };
  const mailto = get(NOTIFY_MAILTO_KEY);
  const on = get(NOTIFY_ON_KEY);
  const metricsFile = get(METRICS_FILE_KEY);
  return {
    notifyCommand: get(NOTIFY_COMMAND_KEY),
    notifyMailto: mailto === undefined ? [] : parseMailto(mailto),
    notifyOn: on === undefined ? ['failures'] : parseNotifyOn(on),
    metricsFile: metricsFile === undefined ? undefined : path.normalize(metricsFile),
  };
}

export interface CertSettings {
  keyType: KeyType;
  /** Absolute paths of the installed chain and key. */
  certFile: string;
  keyFile: string;
  reloadCommand: string | undefined;
}

/** The certificate settings of a node, defaults filled in; checks the whole set (file paths must differ). */
export function certSettings(cfg: NodeConfig, defaults: { certFile: string; keyFile: string }): CertSettings {
  const acme = cfg.entries.get('acme');
  const keytype = acme === undefined ? undefined : checkAcmeValue(acme).get('keytype');
  const get = (key: string): string | undefined => {
    const value = cfg.entries.get(key);
    return value === undefined ? undefined : checkCertSettingValue(key, value);
  };
  const certFile = path.normalize(get(CERT_FILE_KEY) ?? defaults.certFile);
  const keyFile = path.normalize(get(CERT_KEY_FILE_KEY) ?? defaults.keyFile);
  if (certFile === keyFile) throw new UsageError(`value '${keyFile}' is also the cert-file; the key needs a file of its own`, CERT_KEY_FILE_KEY);
  return { keyType: keytype ? checkKeyType(keytype, 'acme: keytype') : DEFAULT_KEY_TYPE, certFile, keyFile, reloadCommand: get(RELOAD_COMMAND_KEY) };
}

/** Validate one `acmedomainN` value. */
export function checkDomainValue(value: string, param: string): Map<string, string> {
  const props = parsePropertyString(value, DOMAIN_SCHEMA, param);
  const domain = props.get('domain');
  if (domain === undefined || domain === '') throw new UsageError("missing property 'domain'", param);
  checkDomain(domain, param);
  const alias = props.get('alias');
  if (alias !== undefined) checkAlias(alias, param);
  const plugin = props.get('plugin');
  if (plugin !== undefined) checkConfigId(plugin, param);
  const challenge = props.get('challenge');
  if (challenge !== undefined) parseChallengeChoice(challenge, param);
  return props;
}

/**
 * Every configured name with its plugin, after checking the whole configuration:
 * valid values, plugins that exist, wildcards and IPs only where their challenge works,
 * no name twice (case-insensitive).
 */
export function configuredDomains(cfg: NodeConfig, plugins: PluginsConfig): ConfiguredDomain[] {
  const result: ConfiguredDomain[] = [];
  const seen = new Map<string, string>();
  const add = (entry: ConfiguredDomain): void => {
    const key = entry.domain.toLowerCase();
    const previous = seen.get(key);
    if (previous !== undefined) {
      throw new UsageError(
        previous === entry.source
          ? `duplicate domain '${entry.domain}' in ACME config properties`
          : `duplicate domain '${entry.domain}' in ACME config properties '${entry.source}' and '${previous}'`,
      );
    }
    seen.set(key, entry.source);
    const section = findPlugin(plugins, entry.plugin);
    if (!section) throw new UsageError(`plugin '${entry.plugin}' for domain '${entry.domain}' not found!`, entry.source);
    // dns-persist-01 alone needs no dns plugin: the record is published once, by whoever can
    const persistOnly = isPersistOnly(entry);
    if (entry.kind === 'wildcard' && section.type !== 'dns' && !persistOnly) {
      throw new UsageError(`wildcard domain '${entry.domain}' needs a DNS plugin, but plugin '${entry.plugin}' is of type '${section.type}'`, entry.source);
    }
    if (entry.challenges && entry.kind === 'ip') {
      throw new UsageError(`IP address '${entry.domain}' cannot be validated through DNS (challenge=${entry.challenges.join('|')})`, entry.source);
    }
    if (entry.challenges && section.type !== 'dns' && !persistOnly) {
      throw new UsageError(`challenge=${entry.challenges.join('|')} for domain '${entry.domain}' needs a DNS plugin, but plugin '${entry.plugin}' is of type '${section.type}'`, entry.source);
    }
    if (entry.kind === 'ip' && section.type === 'dns') {
      throw new UsageError(`IP address '${entry.domain}' cannot be validated through DNS plugin '${entry.plugin}'`, entry.source);
    }
    result.push(entry);
  };

  const acme = cfg.entries.get('acme');
  if (acme !== undefined) {
    const props = checkAcmeValue(acme);
    for (const domain of (props.get('domains') ?? '').split(';').filter(Boolean)) {
      add({ domain, kind: checkDomain(domain, 'acme'), plugin: STANDALONE_ID, alias: undefined, source: 'acme' });
    }
  }
  const slots = [...cfg.entries.keys()].filter(isDomainKey).sort((a, b) => Number(a.slice(10)) - Number(b.slice(10)));
  for (const key of slots) {
    const props = checkDomainValue(cfg.entries.get(key)!, key);
    const domain = props.get('domain')!;
    const challenge = props.get('challenge');
    add({ domain, kind: checkDomain(domain, key), plugin: props.get('plugin') || STANDALONE_ID, alias: props.get('alias'), source: key, challenges: challenge === undefined ? undefined : parseChallengeChoice(challenge, key) });
  }
  return result;
}

/**
 * The configured names a dns-persist-01 record validates (they need no DNS change at renewal);
 * lenient: an invalid configuration lists none (the commands that order say what is wrong).
 */
export function persistValidatedNames(cfg: NodeConfig, plugins: PluginsConfig): string[] {
  try {
    return configuredDomains(cfg, plugins)
      .filter((d) => d.challenges?.includes('dns-persist-01'))
      .map((d) => d.domain);
  } catch {
    return [];
  }
}

/** The ACME account the node uses. */
export function nodeAccount(cfg: NodeConfig): string {
  const acme = cfg.entries.get('acme');
  if (acme === undefined) return DEFAULT_ACCOUNT;
  return checkAcmeValue(acme).get('account') || DEFAULT_ACCOUNT;
}

/** The issuer common name of the chain the node prefers (undefined: the CA's default chain). */
export function nodePreferredChain(cfg: NodeConfig): string | undefined {
  const acme = cfg.entries.get('acme');
  if (acme === undefined) return undefined;
  return checkAcmeValue(acme).get('preferred-chain')?.trim() || undefined;
}

/** The ACME profile the node asks for (undefined: the CA's default). */
export function nodeProfile(cfg: NodeConfig): string | undefined {
  const acme = cfg.entries.get('acme');
  if (acme === undefined) return undefined;
  return checkAcmeValue(acme).get('profile') || undefined;
}

/** The `acmedomainN` keys whose plugin is `id` (lenient: unparsable entries are skipped). */
export function domainKeysUsingPlugin(cfg: NodeConfig, id: string): string[] {
  const users: string[] = [];
  for (const [key, value] of cfg.entries) {
    if (!isDomainKey(key)) continue;
    try {
      if (parsePropertyString(value, DOMAIN_SCHEMA, key).get('plugin') === id) users.push(key);
    } catch {
      // an invalid entry is reported by the commands that use it
    }
  }
  return users;
}

/**
 * The first configured name whose plugin is restricted to other nodes (the plugin's `nodes`), as
 * one line; undefined when every plugin may serve `node`. Node names compare case-insensitively.
 */
export function pluginNodesRefusal(domains: readonly ConfiguredDomain[], plugins: PluginsConfig, node: string): string | undefined {
  for (const domain of domains) {
    const nodes = findPlugin(plugins, domain.plugin)?.props.get('nodes');
    if (nodes === undefined) continue;
    const list = nodes.split(/[\s,;]+/).filter(Boolean);
    if (list.some((n) => n.toLowerCase() === node.toLowerCase())) continue;
    return `${domain.source}: plugin '${domain.plugin}' for domain '${domain.domain}' is restricted to node${list.length === 1 ? '' : 's'} ${list.join(', ')} (its nodes setting), not this node '${node}'`;
  }
  return undefined;
}

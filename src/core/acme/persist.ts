// `acme cert persist-record`: the dns-persist-01 records the configured names need — one per
// record name (apex and wildcard share `_validation-persist.<domain>`, with policy=wildcard) —
// shown, published once through the domain's dns plugin, or removed again.

import type { Context } from '../../context.ts';
import { VERSION } from '../../version.ts';
import { loadAccount } from '../config/accounts.ts';
import { configuredDomains, nodeAccount, type ConfiguredDomain } from '../config/node.ts';
import { findPlugin } from '../config/plugins.ts';
import { loadNodeConfig, loadPlugins } from '../config/repo.ts';
import { dnsRecordName, persistValue, persistValueAuthorizes } from '../challenge/dns-methods.ts';
import { checkPropagation, DnsRecord, validationDelay, type DnsRecordOptions } from '../challenge/dns-record.ts';
import { askAll, DNS_RESOLVERS_ENV, findAuthoritativeServers, parseResolverList, systemDnsLookup, type DnsLookup } from '../challenge/propagation.ts';
import { CliError, UsageError } from '../errors.ts';
import { interruptible } from '../interrupt.ts';
import type { TaskLog } from '../output/tasklog.ts';
import type { Paths } from '../paths.ts';
import { openAcme } from './client.ts';

export interface PersistRecordRow {
  /** The configured names the record serves. */
  domains: string[];
  record: string;
  value: string;
  /** The dns plugin that can publish it (none: publish it by hand). */
  plugin: string | undefined;
  /** Whether the authoritative servers serve a value that authorizes this account now. */
  published: boolean | undefined;
}

interface Group {
  domains: ConfiguredDomain[];
  record: string;
  wildcard: boolean;
}

export interface PersistDeps {
  ctx: Context;
  paths: Paths;
  log: TaskLog;
  sandbox?: DnsRecordOptions['sandbox'];
  dnsLookup?: DnsLookup;
}

/** The records for `names` (default: every name configured with challenge=...dns-persist-01). */
export async function persistRecords(deps: PersistDeps, names: readonly string[], mode: 'show' | 'apply' | 'remove'): Promise<PersistRecordRow[]> {
  const { ctx, paths, log } = deps;
  const cfg = loadNodeConfig(paths).config;
  const plugins = loadPlugins(paths).config;
  const configured = configuredDomains(cfg, plugins);
  let chosen: ConfiguredDomain[];
  if (names.length > 0) {
    chosen = names.map((n) => {
      const found = configured.find((d) => d.domain.toLowerCase() === n.toLowerCase());
      if (!found) throw new UsageError(`domain '${n}' is not configured (see 'certnode config get')`, 'domain');
      if (found.kind === 'ip') throw new UsageError(`'${n}' is an IP address: dns-persist-01 is for DNS names`, 'domain');
      return found;
    });
  } else {
    chosen = configured.filter((d) => d.challenges?.includes('dns-persist-01'));
    if (chosen.length === 0) {
      throw new CliError("no domain is configured for dns-persist-01 - add 'challenge=dns-persist-01' to its acmedomainN (certnode config set --acmedomain0 domain=<name>,plugin=<dns plugin>,challenge=dns-persist-01), or name the domains here");
    }
  }

  const accountName = nodeAccount(cfg);
  const account = loadAccount(paths, accountName);
  const acme = await openAcme(ctx, { directoryUrl: account.directory, version: VERSION });
  const issuers = (await acme.getDirectory()).meta?.caaIdentities ?? [];
  const issuer = issuers[0];
  if (!issuer) throw new CliError(`the CA (${account.directory}) names no issuer domain (directory meta caaIdentities), so no dns-persist-01 record can be written for it`);

  const groups = new Map<string, Group>();
  for (const d of chosen) {
    const record = dnsRecordName('dns-persist-01', d.alias ?? d.domain, account.location);
    const group = groups.get(record) ?? { domains: [], record, wildcard: false };
    group.domains.push(d);
    group.wildcard ||= d.kind === 'wildcard';
    groups.set(record, group);
  }

  const interrupt = interruptible(ctx, () => undefined);
  const lookup = deps.dnsLookup ?? systemDnsLookup();
  const resolversEnv = ctx.env[DNS_RESOLVERS_ENV];
  const resolvers = resolversEnv ? parseResolverList(resolversEnv) : undefined;
  const recordOpts: DnsRecordOptions = { ctx, paths, sleep: interrupt.sleep, signal: interrupt.signal, teardownSignal: interrupt.teardownSignal, ...(deps.sandbox ? { sandbox: deps.sandbox } : {}), ...(deps.dnsLookup ? { dnsLookup: deps.dnsLookup } : {}) };
  const rows: PersistRecordRow[] = [];
  try {
    for (const group of groups.values()) {
      const value = persistValue({ issuer, accountUri: account.location, wildcard: group.wildcard });
      const first = group.domains[0]!;
      const plugin = group.domains.map((d) => findPlugin(plugins, d.plugin)).find((p) => p?.type === 'dns');
      const accepts = (txt: string): boolean => persistValueAuthorizes(txt, { issuers, accountUri: account.location, wildcard: group.wildcard, now: ctx.now() });
      if (mode !== 'show') {
        if (!plugin) throw new CliError(`${group.record}: no dns plugin is configured for ${first.domain} - publish the record by hand: ${group.record} TXT "${value}"`);
        const record = new DnsRecord(log, recordOpts, { name: first.domain, domain: first, plugin, value, wildcard: false, recordName: group.record });
        if (mode === 'apply') {
          try {
            await record.add();
          } finally {
            record.dispose();
          }
          const seen = await checkPropagation(log, recordOpts, { recordName: group.record, forWhom: '', value: accepts, delay: validationDelay(plugin), resolvers, whenMissing: undefined });
          if (!seen.visible) log.warn(`${group.record}: ${seen.summary}`);
        } else {
          await record.remove({ unconditionally: true });
        }
      }
      rows.push({ domains: group.domains.map((d) => d.domain), record: group.record, value, plugin: plugin?.id, published: await publishedNow(lookup, group.record, resolvers, accepts) });
    }
  } finally {
    interrupt.release();
  }
  return rows;
}

/** One look (no waiting): do all the record's servers serve an authorizing value? */
async function publishedNow(lookup: DnsLookup, record: string, resolvers: string[] | undefined, accepts: (txt: string) => boolean): Promise<boolean | undefined> {
  try {
    const found = resolvers ? { servers: resolvers, name: record } : await findAuthoritativeServers(record, lookup);
    const answers = await askAll(lookup, found.servers, found.name);
    if (answers.some((a) => a.error !== undefined)) return undefined;
    return answers.every((a) => a.values?.some(accepts));
  } catch {
    return undefined;
  }
}

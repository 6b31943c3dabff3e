// DNS-01 propagation check: instead of sleeping blindly after a DNS script has added its TXT
// record, ask the servers the CA will (in effect) ask — the zone's authoritative name servers —
// until every one of them serves our value. Lookups go through an interface so the walk and
// the decision are testable without a network; `systemDnsLookup` is the node:dns implementation.

import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { UsageError } from '../errors.ts';

/** Env var: comma-separated host:port list; when set, exactly these servers are asked. */
export const DNS_RESOLVERS_ENV = 'CERTNODE_DNS_RESOLVERS';
export const PROPAGATION_POLL_MS = 2000;
const LOOKUP_TIMEOUT_MS = 2000;
const MAX_CNAME_HOPS = 8;

/** The name-service questions the check needs. `via` = servers ("host:port") to ask; undefined = the system's. */
export interface DnsLookup {
  ns(name: string): Promise<string[]>;
  cname(name: string): Promise<string[]>;
  addresses(host: string): Promise<string[]>;
  /** TXT values (chunks joined) of `name` as `server` answers. */
  txt(name: string, server: string): Promise<string[]>;
}

/** `host:port[,host:port]` -> normalized server strings (`1.2.3.4:53`, `[::1]:5353`); port defaults to 53. */
export function parseResolverList(value: string): string[] {
  const servers: string[] = [];
  for (const raw of value.split(',').map((s) => s.trim())) {
    if (raw === '') continue;
    let host: string;
    let port = '53';
    const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(raw);
    if (v6) {
      host = v6[1]!;
      port = v6[2] ?? port;
    } else if (isIP(raw) === 6) {
      host = raw;
    } else {
      const m = /^([^:]+)(?::(\d+))?$/.exec(raw);
      if (!m) throw new UsageError(`invalid DNS server '${raw}' (expected host:port)`, DNS_RESOLVERS_ENV);
      host = m[1]!;
      port = m[2] ?? port;
    }
    const portNumber = Number(port);
    if (isIP(host) === 0) throw new UsageError(`invalid DNS server '${raw}': '${host}' is not an IP address`, DNS_RESOLVERS_ENV);
    if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) throw new UsageError(`invalid DNS server '${raw}': bad port`, DNS_RESOLVERS_ENV);
    servers.push(formatServer(host, portNumber));
  }
  if (servers.length === 0) throw new UsageError('no DNS servers given', DNS_RESOLVERS_ENV);
  return servers;
}

export function formatServer(ip: string, port: number): string {
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Parent names of `name`, itself first: a.b.c -> a.b.c, b.c, c. */
export function nameAndParents(name: string): string[] {
  const labels = name.replace(/\.$/, '').split('.');
  return labels.map((_, i) => labels.slice(i).join('.')).filter((n) => n !== '');
}

function lower(name: string): string {
  return name.replace(/\.$/, '').toLowerCase();
}

export interface AuthoritativeServers {
  /** The name whose TXT record is checked (after following CNAMEs). */
  name: string;
  zone: string;
  /** NS host names of the zone. */
  nameServers: string[];
  /** Addresses to ask ("ip:port"). */
  servers: string[];
}

/**
 * Where `recordName` is served from: follow its CNAME chain (alias setups delegate
 * `_acme-challenge.<name>` elsewhere), find the zone apex by walking up until a name has NS
 * records, and resolve the name servers to their IPv4 and IPv6 addresses.
 */
export async function findAuthoritativeServers(recordName: string, lookup: DnsLookup, port = 53): Promise<AuthoritativeServers> {
  let name = lower(recordName);
  for (let hops = 0; hops < MAX_CNAME_HOPS; hops++) {
    const target = (await lookup.cname(name).catch(() => []))[0];
    if (!target) break;
    name = lower(target);
  }
  for (const candidate of nameAndParents(name)) {
    const ns = await lookup.ns(candidate).catch(() => []);
    if (ns.length === 0) continue;
    const nameServers = [...new Set(ns.map(lower))].sort();
    const addresses = (await Promise.all(nameServers.map((host) => lookup.addresses(host).catch(() => [])))).flat();
    const servers = [...new Set(addresses)].map((ip) => formatServer(ip, port));
    if (servers.length === 0) throw new Error(`none of the name servers of zone '${candidate}' (${nameServers.join(', ')}) has an address`);
    return { name, zone: candidate, nameServers, servers };
  }
  throw new Error(`no zone with NS records found above '${name}'`);
}

export interface ServerAnswer {
  server: string;
  values?: string[];
  error?: string;
}

/** The servers that do not (yet) serve `value` (or a value `value` accepts) among the TXT values of the name. */
export function serversMissing(answers: readonly ServerAnswer[], value: string | ((txt: string) => boolean)): ServerAnswer[] {
  const accepts = typeof value === 'string' ? (txt: string) => txt === value : value;
  return answers.filter((a) => !a.values?.some(accepts));
}

export async function askAll(lookup: DnsLookup, servers: readonly string[], name: string): Promise<ServerAnswer[]> {
  return Promise.all(
    servers.map(async (server): Promise<ServerAnswer> => {
      try {
        return { server, values: await lookup.txt(name, server) };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        // no such name / no TXT yet: an answer, just not the one we wait for
        if (code === 'ENOTFOUND' || code === 'ENODATA') return { server, values: [] };
        return { server, error: code ?? (err as Error).message };
      }
    }),
  );
}

export interface PropagationWait {
  lookup: DnsLookup;
  servers: readonly string[];
  name: string;
  /** The value to wait for, or a test a served value must pass (dns-persist-01). */
  value: string | ((txt: string) => boolean);
  /** Upper bound of the wait. */
  timeoutMs: number;
  intervalMs?: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Wait until no server serves the value any more (after a removal) instead. */
  absent?: boolean;
  /** Called at most every `progressEveryMs` while the value is still missing somewhere. */
  onProgress?: (elapsedMs: number, missing: ServerAnswer[]) => void;
  progressEveryMs?: number;
}

export interface PropagationResult {
  visible: boolean;
  /** Servers without the value at the last check (with their error, if any). */
  missing: ServerAnswer[];
  checks: number;
}

/**
 * Asks every server right away, then every `intervalMs`, until all serve the value (with
 * `absent`: none serves it any more) or time is up. `missing`: the servers not there yet.
 */
export async function waitForPropagation(opts: PropagationWait): Promise<PropagationResult> {
  const interval = opts.intervalMs ?? PROPAGATION_POLL_MS;
  const started = opts.now();
  const deadline = started + opts.timeoutMs;
  let reported = started;
  for (let checks = 1; ; checks++) {
    const answers = await askAll(opts.lookup, opts.servers, opts.name);
    const missing = opts.absent ? answers.filter((a) => a.error !== undefined || serversMissing([a], opts.value).length === 0) : serversMissing(answers, opts.value);
    if (missing.length === 0) return { visible: true, missing, checks };
    const now = opts.now();
    const remaining = deadline - now;
    if (remaining <= 0) return { visible: false, missing, checks };
    if (opts.onProgress && opts.progressEveryMs !== undefined && now - reported >= opts.progressEveryMs) {
      reported = now;
      opts.onProgress(now - started, missing);
    }
    await opts.sleep(Math.min(interval, remaining));
  }
}

function resolver(servers?: readonly string[]): Resolver {
  const r = new Resolver({ timeout: LOOKUP_TIMEOUT_MS, tries: 2 });
  if (servers) r.setServers([...servers]);
  return r;
}

/** node:dns lookups: discovery through `discoveryServers` (default: the system's), TXT straight from each server. */
export function systemDnsLookup(discoveryServers?: readonly string[]): DnsLookup {
  const discovery = resolver(discoveryServers);
  return {
    ns: (name) => discovery.resolveNs(name),
    cname: (name) => discovery.resolveCname(name),
    async addresses(host) {
      const [v4, v6] = await Promise.all([discovery.resolve4(host).catch(() => []), discovery.resolve6(host).catch(() => [])]);
      return [...v4, ...v6];
    },
    async txt(name, server) {
      const records = await resolver([server]).resolveTxt(name);
      return records.map((chunks) => chunks.join(''));
    },
  };
}

// A real PowerDNS Authoritative server per test file: the gsqlite3 backend in a temp dir,
// authoritative for one zone on a free loopback port, its HTTP API on another. Throws — never
// skips — when pdns_server is missing (scripts/run-tests.mjs installs pdns-server,
// pdns-backend-sqlite3 and sqlite3 as root).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, txtAt } from './dns-server.ts';
import { freePort } from './pebble.ts';

export interface PowerDns {
  zone: string;
  /** "127.0.0.1:<port>" of the DNS listener. */
  addr: string;
  /** Base URL of the HTTP API (http://127.0.0.1:<port>). */
  apiUrl: string;
  apiKey: string;
  /** TXT values of `name` as the server answers now ([] when none). */
  txt(name: string): Promise<string[]>;
  log(): string;
  stop(): Promise<void>;
}

const SCHEMA = '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql';

function need(command: string, pkg: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command} || ls /usr/sbin/${command} 2>/dev/null`], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
  if (!found) throw new Error(`'${command}' not found: install the Debian package '${pkg}' (npm test does this when run as root)`);
  return found;
}

export async function startPowerDns(zone = 'pdns.test'): Promise<PowerDns> {
  const pdns = need('pdns_server', 'pdns-server');
  const pdnsutil = need('pdnsutil', 'pdns-server');
  const sqlite = need('sqlite3', 'sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'certnode-pdns-'));
  chmodSync(dir, 0o755);
  const [port, apiPort] = [await freePort(), await freePort()];
  const apiKey = randomBytes(16).toString('hex');
  const db = join(dir, 'pdns.sqlite3');
  const schema = spawnSync(sqlite, [db, `.read ${SCHEMA}`], { encoding: 'utf8' });
  if (schema.status !== 0) throw new Error(`sqlite3 schema: ${schema.stderr}`);
  writeFileSync(
    join(dir, 'pdns.conf'),
    [
      'launch=gsqlite3',
      `gsqlite3-database=${db}`,
      'local-address=127.0.0.1',
      `local-port=${port}`,
      'api=yes',
      `api-key=${apiKey}`,
      'webserver=yes',
      'webserver-address=127.0.0.1',
      `webserver-port=${apiPort}`,
      'webserver-allow-from=127.0.0.0/8',
      `socket-dir=${dir}`,
      'guardian=no',
      'daemon=no',
      'disable-syslog=yes',
      'loglevel=4',
      // answers reflect every API change at once (the propagation check is tested elsewhere)
      'cache-ttl=0',
      'query-cache-ttl=0',
      'negquery-cache-ttl=0',
      'zone-cache-refresh-interval=0',
      '',
    ].join('\n'),
  );
  for (const args of [
    ['create-zone', zone, `ns.${zone}`],
    ['add-record', zone, 'ns', 'A', '127.0.0.1'],
  ]) {
    const r = spawnSync(pdnsutil, [`--config-dir=${dir}`, ...args], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`pdnsutil ${args.join(' ')}: ${r.stderr}`);
  }

  const addr = `127.0.0.1:${port}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([addr]);
  const server = await startServerProcess('pdns_server', pdns, [`--config-dir=${dir}`], dir, async () => {
    await resolver.resolveSoa(zone);
    return (await fetch(`${apiUrl}/api/v1/servers/localhost`, { headers: { 'X-API-Key': apiKey } })).ok;
  });

  return {
    zone,
    addr,
    apiUrl,
    apiKey,
    txt: (name) => txtAt(addr, name),
    log: server.log,
    stop: server.stop,
  };
}

// A real BIND 9 name server per test file: authoritative for one zone on a free loopback port,
// dynamic updates (RFC 2136) allowed with a TSIG key. Throws — never skips — when `named` is
// missing (scripts/run-tests.mjs installs the Debian package bind9 as root).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, txtAt } from './dns-server.ts';
import { freePort } from './pebble.ts';

export interface Bind {
  zone: string;
  port: number;
  /** "127.0.0.1:<port>" */
  addr: string;
  /** TSIG key file (nsupdate -k), mode 0600: only root reads it (DNS scripts get a private copy). */
  keyFile: string;
  keyName: string;
  /** The TSIG secret inside keyFile (tests assert it never shows up in a log). */
  secret: string;
  /** TXT values of `name` as the server answers now ([] when none). */
  txt(name: string): Promise<string[]>;
  /** Runs nsupdate with the key against this server (lines without `server`/`send`). */
  update(lines: string[]): void;
  /** Zone-file mode: the zone file scripts edit (its directory is writable by any user). */
  zoneFile: string;
  /** Zone-file mode: rndc key file and control port, for `rndc reload <zone>`. */
  rndcKeyFile: string;
  controlPort: number;
  log(): string;
  stop(): Promise<void>;
}

export interface BindOptions {
  /** 'dynamic' (default): RFC 2136 updates with the TSIG key. 'zonefile': a plain zone file that
   * scripts rewrite, then `rndc reload`: the way file-based provider scripts work. */
  mode?: 'dynamic' | 'zonefile';
}

export async function startBind(zone = 'rfc2136.test', opts: BindOptions = {}): Promise<Bind> {
  const zoneMode = opts.mode === 'zonefile';
  const named = spawnSync('sh', ['-c', 'command -v named'], { encoding: 'utf8' }).stdout.trim();
  if (!named) throw new Error("'named' not found: install the Debian package 'bind9' (npm test does this when run as root)");
  const dir = mkdtempSync(join(tmpdir(), 'certnode-bind-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  const keyName = 'certnode-test-key';
  const secret = randomBytes(32).toString('base64');
  const keyText = `key "${keyName}" {\n  algorithm hmac-sha256;\n  secret "${secret}";\n};\n`;
  const keyFile = join(dir, 'tsig.key');
  writeFileSync(keyFile, keyText, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  const controlPort = await freePort();
  const rndcSecret = randomBytes(32).toString('base64');
  const rndcKeyText = `key "rndc-key" {\n  algorithm hmac-sha256;\n  secret "${rndcSecret}";\n};\n`;
  const rndcKeyFile = join(dir, 'rndc.key');
  writeFileSync(rndcKeyFile, rndcKeyText, { mode: 0o600 });
  // zone-file mode: scripts (any unprivileged user) rewrite the file and rename it into place
  const zoneDir = join(dir, 'zones');
  mkdirSync(zoneDir);
  chmodSync(zoneDir, zoneMode ? 0o777 : 0o755);
  const zoneFile = join(zoneDir, 'zone.db');
  writeFileSync(
    zoneFile,
    [
      '$TTL 60',
      `@ IN SOA ns.${zone}. hostmaster.${zone}. 1 60 60 600 60`,
      `@ IN NS ns.${zone}.`,
      'ns IN A 127.0.0.1',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'named.conf'),
    `${keyText}
options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
};
${zoneMode ? rndcKeyText : ''}controls { ${zoneMode ? `inet 127.0.0.1 port ${controlPort} allow { 127.0.0.1; } keys { "rndc-key"; };` : ''} };
zone "${zone}" {
  type primary;
  file "${zoneFile}";
  ${zoneMode ? '' : `allow-update { key "${keyName}"; };`}
};
`,
  );
  const addr = `127.0.0.1:${port}`;
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([addr]);
  const server = await startServerProcess('named', named, ['-g', '-c', join(dir, 'named.conf')], dir, () => resolver.resolveSoa(zone).then(() => true));

  return {
    zone,
    port,
    addr,
    keyFile,
    keyName,
    secret,
    zoneFile,
    rndcKeyFile,
    controlPort,
    txt: (name) => txtAt(addr, name),
    update(lines) {
      const r = spawnSync('nsupdate', ['-t', '5', '-k', keyFile], { input: `server 127.0.0.1 ${port}\n${lines.join('\n')}\nsend\n`, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`nsupdate failed: ${r.stderr}`);
    },
    log: server.log,
    stop: server.stop,
  };
}

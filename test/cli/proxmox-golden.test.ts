// Golden round trips of a PVE-written and a PBS-written tree through every command that writes
// node.cfg or plugins.cfg, run as the built binary: each command changes exactly the lines it is
// about (in the spelling of the file's writer) and every other byte of every file stays.
//
// The fixtures (test/fixtures/proxmox/{pve,pbs}) are written by hand after the writers' rules:
// PVE (pve-manager's node config writer, pve-common's SectionConfig) escapes the description,
// sorts the keys, writes `disable` bare after the header and before the required `api`, then the
// optional properties sorted, and a blank line after every section; older PVE versions stored
// `data` as standard base64. PBS (proxmox-backup's simple key/value writer, proxmox-section-config)
// writes the description plain, keys sorted (with PBS-only keys such as ciphers-tls-1.3),
// properties sorted with `disable true`, sections joined by one blank line and none at the end.

import assert from 'node:assert/strict';
import { chmodSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FIXTURES } from '../helpers/fixtures.ts';
import { runCli, snapshot, tempDir } from '../helpers/cli.ts';

type Tree = 'pve' | 'pbs';
const NODE = 'node.cfg';
const PLUGINS = join('acme', 'plugins.cfg');

/** `text` with `from` replaced by `to`; `from` must occur exactly once (the edit is where we say). */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  assert.notEqual(at, -1, `expected ${JSON.stringify(from)} in the fixture`);
  assert.equal(text.indexOf(from, at + 1), -1, `${JSON.stringify(from)} occurs more than once`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

interface Case {
  name: string;
  args: string[];
  /** The file the command changes, and how, per tree (undefined: nothing changes anywhere). */
  file?: string;
  expect?: Record<Tree, (original: string) => string>;
}

const ACMEDNS_DATA = 'ACMEDNS_USERNAME=u1\nACMEDNS_PASSWORD=p w\n';
const ACMEDNS_B64 = Buffer.from(ACMEDNS_DATA).toString('base64url');
const OVH_DATA = 'OVH_AK=k?>~\nOVH_AS=s3cr3t ~?>\n';

const CASES: Case[] = [
  {
    name: 'config set adds acmedomain2 right after acmedomain1',
    args: ['config', 'set', '--acmedomain2', 'web.example.org'],
    file: NODE,
    expect: {
      pve: (t) => edit(t, 'plugin=cloudflare\nstartall', 'plugin=cloudflare\nacmedomain2: web.example.org\nstartall'),
      pbs: (t) => edit(t, 'acmedomain1: backup.example.org\n', 'acmedomain1: backup.example.org\nacmedomain2: web.example.org\n'),
    },
  },
  {
    name: 'config set changes one acmedomainN line in place',
    args: ['config', 'set', '--acmedomain1', 'changed.example.org,plugin=cloudflare'],
    file: NODE,
    expect: {
      pve: (t) => edit(t, 'acmedomain1: internal.example.org,alias=challenges.example.net,plugin=cloudflare\n', 'acmedomain1: changed.example.org,plugin=cloudflare\n'),
      pbs: (t) => edit(t, 'acmedomain1: backup.example.org\n', 'acmedomain1: changed.example.org,plugin=cloudflare\n'),
    },
  },
  {
    name: 'config set --delete removes exactly that line',
    args: ['config', 'set', '--delete', 'acmedomain1'],
    file: NODE,
    expect: {
      pve: (t) => edit(t, 'acmedomain1: internal.example.org,alias=challenges.example.net,plugin=cloudflare\n', ''),
      pbs: (t) => edit(t, 'acmedomain1: backup.example.org\n', ''),
    },
  },
  {
    name: "config set --description writes the description in the file's escaping",
    args: ['config', 'set', '--description', 'Backup: 100% – café'],
    file: NODE,
    expect: {
      pve: (t) => edit(t, '#Main node%3A rack 4, 100%25 uptime\n#Z%C3%BCrich DC\n', '#Backup%3A 100%25 %E2%80%93 caf%C3%A9\n'),
      pbs: (t) => edit(t, '#Backup: 100% of our VMs\n#Zürich DC\n', '#Backup: 100% – café\n'),
    },
  },
  {
    name: 'config set --delete description removes the description lines only',
    args: ['config', 'set', '--delete', 'description'],
    file: NODE,
    expect: {
      pve: (t) => edit(t, '#Main node%3A rack 4, 100%25 uptime\n#Z%C3%BCrich DC\n', ''),
      pbs: (t) => edit(t, '#Backup: 100% of our VMs\n#Zürich DC\n', ''),
    },
  },
  {
    name: 'config set of a new key puts it where the writer sorts it',
    args: ['config', 'set', '--reload-command', 'systemctl reload nginx'],
    file: NODE,
    expect: {
      pve: (t) => edit(t, 'plugin=cloudflare\nstartall', 'plugin=cloudflare\nreload-command: systemctl reload nginx\nstartall'),
      pbs: (t) => edit(t, 'http-proxy: http://proxy.example.com:3128\n', 'http-proxy: http://proxy.example.com:3128\nreload-command: systemctl reload nginx\n'),
    },
  },
  {
    name: 'plugin set changes one property line; the other sections (bare disable, standard base64) stay',
    args: ['acme', 'plugin', 'set', 'cloudflare', '--validation-delay', '90'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, '\tvalidation-delay 60\n', '\tvalidation-delay 90\n'),
      pbs: (t) => edit(t, '\tvalidation-delay 60\n', '\tvalidation-delay 90\n'),
    },
  },
  {
    name: "plugin set adds a property where the writer puts it, in the writer's order",
    args: ['acme', 'plugin', 'set', 'ovh_old', '--validation-delay', '5'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, '\tnodes pve1,pve2\n', '\tnodes pve1,pve2\n\tvalidation-delay 5\n'),
      pbs: (t) => edit(t, '\tdisable true\n', '\tdisable true\n\tvalidation-delay 5\n'),
    },
  },
  {
    name: 'plugin set --disable 0 removes the flag line, whichever way it is spelled',
    args: ['acme', 'plugin', 'set', 'ovh_old', '--disable', '0'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, '\tdisable\n', ''),
      pbs: (t) => edit(t, '\tdisable true\n', ''),
    },
  },
  {
    name: "plugin set --disable on an enabled plugin writes the flag in the writer's spelling and place",
    args: ['acme', 'plugin', 'set', 'cloudflare', '--disable'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, 'dns: cloudflare\n', 'dns: cloudflare\n\tdisable\n'),
      pbs: (t) => edit(t, 'NDMyMTAK\n\tvalidation-delay 60\n', 'NDMyMTAK\n\tdisable true\n\tvalidation-delay 60\n'),
    },
  },
  {
    name: 'plugin set --delete removes that property line only',
    args: ['acme', 'plugin', 'set', 'cloudflare', '--delete', 'validation-delay'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, '\tvalidation-delay 60\n', ''),
      pbs: (t) => edit(t, '\tvalidation-delay 60\n', ''),
    },
  },
  {
    name: 'plugin add of a standalone plugin appends it in the writer\'s order',
    args: ['acme', 'plugin', 'add', 'standalone', 'alt', '--port', '8080', '--address', '127.0.0.1', '--disable'],
    file: PLUGINS,
    expect: {
      pve: (t) => `${t}standalone: alt\n\tdisable\n\taddress 127.0.0.1\n\tport 8080\n\n`,
      pbs: (t) => `${t}\nstandalone: alt\n\taddress 127.0.0.1\n\tdisable true\n\tport 8080\n`,
    },
  },
  {
    name: 'plugin set with the same data again changes nothing (the stored base64 spelling stays)',
    args: ['acme', 'plugin', 'set', 'ovh_old', '--data', '@ovh.data'],
  },
  {
    name: 'plugin set on the standalone plugin adds its line after the header',
    args: ['acme', 'plugin', 'set', 'standalone', '--port', '8080'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, 'standalone: standalone\n', 'standalone: standalone\n\tport 8080\n'),
      pbs: (t) => edit(t, 'standalone: standalone\n', 'standalone: standalone\n\tport 8080\n'),
    },
  },
  {
    name: "plugin add appends the section with the writer's separators",
    args: ['acme', 'plugin', 'add', 'dns', 'acme1', '--api', 'acmedns', '--data', '@acmedns.data'],
    file: PLUGINS,
    expect: {
      pve: (t) => `${t}dns: acme1\n\tapi acmedns\n\tdata ${ACMEDNS_B64}\n\n`,
      pbs: (t) => `${t}\ndns: acme1\n\tapi acmedns\n\tdata ${ACMEDNS_B64}\n`,
    },
  },
  {
    name: 'plugin remove takes out the section and one separating blank line',
    args: ['acme', 'plugin', 'remove', 'ovh_old'],
    file: PLUGINS,
    expect: {
      pve: (t) => edit(t, 'dns: ovh_old\n\tdisable\n\tapi ovh\n\tdata T1ZIX0FLPWs/Pn4KT1ZIX0FTPXMzY3IzdCB+Pz4K\n\tnodes pve1,pve2\n\n', ''),
      pbs: (t) => edit(t, 'dns: ovh_old\n\tapi ovh\n\tdata T1ZIX0FLPWs_Pn4KT1ZIX0FTPXMzY3IzdCB-Pz4K\n\tdisable true\n\n', ''),
    },
  },
];

for (const tree of ['pve', 'pbs'] as const) {
  describe(`a ${tree.toUpperCase()}-written tree through every command that writes it`, () => {
    const { dir, cleanup } = tempDir();
    after(cleanup);
    writeFileSync(join(dir, 'ovh.data'), OVH_DATA);
    writeFileSync(join(dir, 'acmedns.data'), ACMEDNS_DATA);
    let n = 0;
    /** A fresh copy of the fixture tree. */
    const copy = (): string => {
      const etc = join(dir, `etc${n++}`);
      cpSync(join(FIXTURES, 'proxmox', tree), etc, { recursive: true });
      // the modes the products give them (certnode keeps 0600 secrets in a 0700 dir)
      chmodSync(join(etc, 'acme'), 0o700);
      chmodSync(join(etc, PLUGINS), 0o600);
      chmodSync(join(etc, NODE), 0o644);
      return etc;
    };

    test('it loads as it is: config get and plugin list read every key, nothing is written', async () => {
      const etc = copy();
      const before = snapshot(etc);
      const get = await runCli(['config', 'get', '--output-format', 'json'], { configDir: etc });
      assert.equal(get.code, 0, get.stderr);
      const data = JSON.parse(get.stdout) as Record<string, string>;
      if (tree === 'pbs') {
        assert.equal(data['ciphers-tls-1.2'], 'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384');
        assert.equal(data['ciphers-tls-1.3'], 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256');
        assert.equal(data['http-proxy'], 'http://proxy.example.com:3128');
        assert.equal(data['email-from'], 'backup@example.com');
        assert.equal(data['default-lang'], 'de');
        assert.equal(data['task-log-max-days'], '30');
        assert.equal(data.description, 'Backup: 100% of our VMs\nZürich DC');
      } else {
        assert.equal(data.wakeonlan, '00:11:22:33:44:55');
        assert.equal(data.description, 'Main node: rack 4, 100% uptime\nZürich DC');
      }
      const list = await runCli(['acme', 'plugin', 'config', 'ovh_old', '--output-format', 'json'], { configDir: etc });
      assert.equal(list.code, 0, list.stderr);
      assert.equal((JSON.parse(list.stdout) as { data: string }).data, OVH_DATA);
      assert.deepEqual(snapshot(etc), before);
    });

    for (const c of CASES) {
      test(c.name, async () => {
        const etc = copy();
        const before = snapshot(etc);
        const args = c.args.map((a) => (a.startsWith('@') ? join(dir, a.slice(1)) : a));
        const r = await runCli(args, { configDir: etc });
        assert.equal(r.code, 0, r.stderr);
        const expected = { ...before };
        if (c.file && c.expect) {
          const original = readFileSync(join(FIXTURES, 'proxmox', tree, c.file), 'utf8');
          const key = `/${c.file}`;
          expected[key] = `${before[key]!.split(' ')[0]} ${c.expect[tree](original)}`;
        }
        // every file: the one changed exactly as expected, all others byte for byte (and mode)
        const after = snapshot(etc);
        for (const key of Object.keys({ ...expected, ...after })) {
          if (key.endsWith('.lock') || key.endsWith('.lock/')) continue;
          assert.equal(after[key], expected[key], key);
        }
      });
    }
  });
}

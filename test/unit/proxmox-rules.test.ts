// What the Proxmox parsers take (src/core/config/proxmox-rules.ts), the side-file merge, and the
// layout/node resolution of src/core/paths.ts.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNodeCfg } from '../../src/core/config/node-cfg.ts';
import { parsePluginsCfg } from '../../src/core/config/plugins-cfg.ts';
import { mergeNodeSide, mergePluginsSide, nodeSettingRefusal, pluginSettingRefusal, pveApiRefusal, sideSettingRefusal } from '../../src/core/config/proxmox-rules.ts';
import { detectLayout, resolvePaths } from '../../src/core/paths.ts';

test('pve node settings: what PVE keeps passes, what it drops is refused naming why', () => {
  for (const [key, value] of [
    ['acme', 'account=default,domains=a.example.com;b.example.com'],
    ['acmedomain0', 'a.example.com,plugin=cf,alias=_acme.example.net'],
    ['acmedomain5', 'domain=f.example.com'],
    ['description', 'rack 4'],
  ] as const) {
    assert.equal(nodeSettingRefusal('pve', key, value), undefined, `${key}: ${value}`);
  }
  const refused: [string, string, RegExp][] = [
    ['acme', 'account=default,keytype=ec-384', /^PVE drops the whole 'acme' line when it holds 'keytype' .* certnode config set --side --acme keytype=ec-384$/],
    ['acme', 'profile=shortlived', /certnode config set --side --acme profile=shortlived$/],
    ['acme', 'domains=a.example.com;192.0.2.1', /^PVE drops the whole 'acme' line when a domain is the IP address '192\.0\.2\.1'/],
    ['acmedomain6', 'g.example.com', /^PVE drops 'acmedomain6' \(PVE knows acmedomain0 \.\. acmedomain5\)/],
    ['acmedomain0', '*.example.com,plugin=cf', /^PVE drops 'acmedomain0': its domain is the wildcard '\*\.example\.com'/],
    ['acmedomain1', 'a.example.com,challenge=dns-persist-01,plugin=cf', /^PVE drops 'acmedomain1' when it holds 'challenge'/],
    ['acmedomain2', 'c.example.com,alias=localhost,plugin=cf', /^PVE drops 'acmedomain2': its alias 'localhost' is no pve-acme-alias/],
    ['reload-command', 'systemctl reload pveproxy', /^PVE drops 'reload-command' \(not a PVE node setting\) - .* --reload-command 'systemctl reload pveproxy'$/],
  ];
  for (const [key, value, expected] of refused) assert.match(nodeSettingRefusal('pve', key, value) ?? '(passed)', expected, `${key}: ${value}`);
});

test('pbs node settings: acme holds only (and needs) account, five slots, DNS_NAME domains', () => {
  assert.equal(nodeSettingRefusal('pbs', 'acme', 'account=default'), undefined);
  assert.equal(nodeSettingRefusal('pbs', 'acmedomain4', 'e.example.com,plugin=cf'), undefined);
  assert.match(nodeSettingRefusal('pbs', 'acme', 'account=a1,domains=x.example.com') ?? '', /^PBS rejects the whole node\.cfg for 'domains' in 'acme'/);
  assert.match(nodeSettingRefusal('pbs', 'acme', 'preferred-chain=ISRG Root X1') ?? '', /--side --acme 'preferred-chain=ISRG Root X1'$/);
  assert.match(nodeSettingRefusal('pbs', 'acmedomain5', 'f.example.com') ?? '', /^PBS rejects the whole node\.cfg for 'acmedomain5'/);
  assert.match(nodeSettingRefusal('pbs', 'acmedomain0', 'under_score.example.com') ?? '', /its domain is 'under_score\.example\.com' \(not a DNS_NAME\)/);
});

test('plugins: PVE drops and PBS rejects what their schemas lack; nodes and disable have no side file', () => {
  assert.equal(pluginSettingRefusal('pve', 'dns', 'cf', { api: 'cf', nodes: 'a,b', 'validation-delay': 60, disable: true }), undefined);
  assert.equal(
    pluginSettingRefusal('pve', 'dns', 'cf', { propagation: 'sleep' }),
    "PVE drops 'propagation' from a dns plugin (PVE's dns plugins know api, data, disable, nodes, validation-delay) - set it in certnode's side file instead: certnode acme plugin set --side cf --propagation sleep",
  );
  assert.equal(pluginSettingRefusal('pbs', 'standalone', 'standalone', { disable: true }), "PBS rejects the whole plugins.cfg for 'disable' in a standalone plugin (PBS's standalone plugins have no settings)");
  assert.equal(pluginSettingRefusal('pbs', 'dns', 'cf', { nodes: 'pbs1' }), "PBS rejects the whole plugins.cfg for 'nodes' in a dns plugin (PBS's dns plugins know api, data, disable, validation-delay)");
});

test("pve api: checked against the host's dns-challenge-schema.json when there is one", () => {
  const schema = JSON.stringify({ cf: { name: 'Cloudflare' }, ovh: {} });
  assert.equal(pveApiRefusal('cf', schema), undefined);
  assert.equal(pveApiRefusal('certnodetest', undefined), undefined);
  assert.equal(
    pveApiRefusal('certnodetest', schema, '/x/schema.json'),
    "PVE drops the whole plugin when its api is 'certnodetest': not one of the DNS APIs in /x/schema.json (2 known)",
  );
});

test('side files: Proxmox keys stay out; merged reads join acme and refuse a key in both', () => {
  assert.equal(sideSettingRefusal('acme', 'keytype=ec-384,profile=tlsserver', '/etc/pve/nodes/a/config'), undefined);
  assert.equal(sideSettingRefusal('acme', 'account=x1', '/etc/pve/nodes/a/config'), "'account' belongs in '/etc/pve/nodes/a/config', where Proxmox reads it - set it without --side");
  assert.match(sideSettingRefusal('description', 'x', '/c') ?? '', /^the description belongs in '\/c'/);
  const main = parseNodeCfg('acme: account=default,domains=a.example.com\nacmedomain0: b.example.com\n', 'main');
  const side = parseNodeCfg('acme: keytype=ec-384\nacmedomain6: *.example.com,plugin=cf\n', 'side');
  const merged = mergeNodeSide(main, side, { main: 'main', side: 'side' });
  assert.deepEqual([...merged.entries], [
    ['acme', 'account=default,domains=a.example.com,keytype=ec-384'],
    ['acmedomain0', 'b.example.com'],
    ['acmedomain6', '*.example.com,plugin=cf'],
  ]);
  assert.throws(() => mergeNodeSide(main, parseNodeCfg('acmedomain0: c.example.com\n', 'side'), { main: 'main', side: 'side' }), {
    message: "side: 'acmedomain0' is set both here and in 'main' - delete one of them",
  });
  const plugins = mergePluginsSide(parsePluginsCfg('dns: cf\n\tapi cf\n\n', 'p'), parsePluginsCfg('dns: cf\n\tpropagation sleep\n\n', 's'), { main: 'p', side: 's' });
  assert.deepEqual([...plugins.sections[0]!.props], [['api', 'cf'], ['propagation', 'sleep']]);
  assert.throws(() => mergePluginsSide(parsePluginsCfg('', 'p'), parsePluginsCfg('dns: gone\n\tpropagation sleep\n', 's'), { main: 'p', side: 's' }), {
    message: "s: plugin 'gone' has settings here but no section in 'p'",
  });
});

test('layout detection and node resolution', () => {
  const dir = mkdtempSync(join(tmpdir(), 'certnode-layout-'));
  try {
    assert.equal(detectLayout(dir), 'certnode');
    mkdirSync(join(dir, 'nodes', 'pve1'), { recursive: true });
    writeFileSync(join(dir, 'nodes', 'pve1', 'config'), '');
    assert.equal(detectLayout(dir), 'pve');
    const pve = resolvePaths({ configDir: dir, layout: undefined, node: undefined, env: { CERTNODE_NODE: 'pve1' } });
    assert.deepEqual([pve.layout, pve.nodeCfg, pve.defaultCertFile, pve.pluginsCfg, pve.accountsDir], ['pve', join(dir, 'nodes/pve1/config'), join(dir, 'nodes/pve1/pveproxy-ssl.pem'), join(dir, 'priv/acme/plugins.cfg'), join(dir, 'priv/acme')]);
    writeFileSync(join(dir, '.node.lck'), '');
    assert.throws(() => detectLayout(dir), { message: `layout: cannot tell the layout of '${dir}': it has marks of pve (nodes/pve1/config) and pbs (.node.lck) - say which with --layout or CERTNODE_LAYOUT` });
    const pbs = resolvePaths({ configDir: dir, layout: 'pbs', node: undefined, env: {} });
    assert.deepEqual([pbs.nodeCfg, pbs.defaultCertKeyFile, pbs.accountsDir, pbs.cluster], [join(dir, 'node.cfg'), join(dir, 'proxy.key'), join(dir, 'acme/accounts'), false]);
    // the certnode layout with nodes/: a cluster tree, the node's files in nodes/<node>/
    const cluster = resolvePaths({ configDir: dir, layout: 'certnode', node: 'n2', env: { CERTNODE_NODE: 'n1' } });
    assert.deepEqual([cluster.node, cluster.nodeCfg, cluster.certsDir, cluster.runStateFile, cluster.pluginsCfg], ['n2', join(dir, 'nodes/n2/node.cfg'), join(dir, 'nodes/n2/certs'), join(dir, 'nodes/n2/certnode-runs.json'), join(dir, 'acme/plugins.cfg')]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectNodeCfgFlavour, nodeCfgFlavour, parseNodeCfg, serializeNodeCfg } from '../../src/core/config/node-cfg.ts';
import { checkAcmeValue, configuredDomains, domainKeysUsingPlugin, nodeAccount, nodeProfile } from '../../src/core/config/node.ts';
import { parsePluginsCfg } from '../../src/core/config/plugins-cfg.ts';
import { parsePropertyString, printPropertyString } from '../../src/core/config/property-string.ts';

const PLUGINS = parsePluginsCfg('dns: cloudflare\n\tapi cf\n\nstandalone: web\n', 'plugins.cfg');

test('node.cfg: the PVE example round-trips (description escaped, keys sorted, unknown keys kept)', () => {
  const text = '#Main%20node%3A rack 4\nwakeonlan: 00:11:22:33:44:55\nacme: account=default,domains=pve1.example.com;www.example.com\nacmedomain0: pve1.example.org,plugin=cloudflare\nacmedomain1: internal.example.org,alias=challenges.example.net,plugin=cloudflare\nacmedomain2: domain=web.example.org\n';
  const cfg = parseNodeCfg(text, 'node.cfg');
  assert.equal(cfg.description, 'Main node: rack 4');
  assert.equal(cfg.entries.get('wakeonlan'), '00:11:22:33:44:55');
  // unchanged: the same bytes (the description keeps its %20 spelling, the key order stays)
  assert.equal(serializeNodeCfg(cfg), text);
  cfg.entries.set('acmedomain3', 'x.example.org');
  assert.equal(serializeNodeCfg(cfg), text.replace('acmedomain2: domain=web.example.org\n', 'acmedomain2: domain=web.example.org\nacmedomain3: x.example.org\n'));
});

test('node.cfg: multi-line and non-ASCII descriptions survive', () => {
  const cfg = parseNodeCfg('', 'x');
  cfg.description = 'Zürich 100%\nsecond line';
  const text = serializeNodeCfg(cfg);
  assert.equal(text, '#Z%C3%BCrich 100%25\n#second line\n');
  assert.equal(parseNodeCfg(text, 'x').description, 'Zürich 100%\nsecond line');
});

test('node.cfg: a PBS file (keys with dots, plain description) loads, and a domain change leaves the description alone', () => {
  const text = '#Backup: 100%\n#second line\nacme: account=default\nacmedomain0: pbs.example.com\nciphers-tls-1.2: ECDHE-RSA-AES256-GCM-SHA384\nciphers-tls-1.3: TLS_AES_256_GCM_SHA384\nhttp-proxy: http://proxy:3128\n';
  const cfg = parseNodeCfg(text, 'node.cfg');
  assert.equal(nodeCfgFlavour(cfg), 'pbs');
  assert.equal(cfg.description, 'Backup: 100%\nsecond line');
  assert.equal(cfg.entries.get('ciphers-tls-1.3'), 'TLS_AES_256_GCM_SHA384');
  cfg.entries.set('acmedomain0', 'pbs.example.org');
  assert.equal(serializeNodeCfg(cfg), text.replace('pbs.example.com', 'pbs.example.org'));
  cfg.description = 'Zürich: 5%';
  assert.match(serializeNodeCfg(cfg), /^#Zürich: 5%\nacme: /);
});

test('node.cfg: the flavour comes from PBS-only keys or from how the description is escaped', () => {
  assert.equal(detectNodeCfgFlavour(''), 'pve');
  assert.equal(detectNodeCfgFlavour('acme: account=a\n'), 'pve');
  assert.equal(detectNodeCfgFlavour('#plain words\nacme: account=a\n'), 'pve');
  assert.equal(detectNodeCfgFlavour('#100%25\n'), 'pve');
  assert.equal(detectNodeCfgFlavour('#a: b\n'), 'pbs');
  assert.equal(detectNodeCfgFlavour('#100% sure\n'), 'pbs');
  assert.equal(detectNodeCfgFlavour('#Zürich\n'), 'pbs');
  assert.equal(detectNodeCfgFlavour('task-log-max-days: 30\n'), 'pbs');
  // a layout that knows its product says so
  const cfg = parseNodeCfg('#100%25 plain\n', 'x', { flavour: 'pbs' });
  assert.equal(cfg.description, '100%25 plain');
});

test('node.cfg: comments, blank lines, odd spacing and a missing final newline survive a change elsewhere', () => {
  const pve = '#desc\n\nacme:   account=a\n# a comment after the keys\nwakeonlan: 00:11:22:33:44:55';
  const cfg = parseNodeCfg(pve, 'x');
  assert.equal(serializeNodeCfg(cfg), pve);
  cfg.entries.set('acmedomain0', 'a.example.com');
  assert.equal(serializeNodeCfg(cfg), '#desc\n\nacme:   account=a\nacmedomain0: a.example.com\n# a comment after the keys\nwakeonlan: 00:11:22:33:44:55');
  cfg.entries.delete('wakeonlan');
  assert.equal(serializeNodeCfg(cfg), '#desc\n\nacme:   account=a\nacmedomain0: a.example.com\n# a comment after the keys');
  // PBS: '#' lines after the first key are comments, kept when the description changes
  const pbs = parseNodeCfg('#a: b\nacme: account=a\n#note\n', 'x');
  assert.equal(pbs.description, 'a: b');
  pbs.description = undefined;
  assert.equal(serializeNodeCfg(pbs), 'acme: account=a\n#note\n');
  // PVE: every '#' line is description; a new one goes where the first was
  const all = parseNodeCfg('#one\nacme: account=a\n#two\n', 'x');
  assert.equal(all.description, 'one\ntwo');
  all.description = 'three: 3';
  assert.equal(serializeNodeCfg(all), '#three%3A 3\nacme: account=a\n');
});

test('node.cfg: bad lines name the file and line', () => {
  assert.throws(() => parseNodeCfg('acme: a\nthis is not a key\n', '/etc/certnode/node.cfg'), {
    message: "/etc/certnode/node.cfg line 2: unable to parse line 'this is not a key' (expected 'key: value')",
  });
  assert.throws(() => parseNodeCfg('acme: a\nacme: b\n', 'n'), { message: "n line 2: duplicate key 'acme'" });
});

test('property strings: default key, errors in pvenode wording', () => {
  const schema = { keys: ['domain', 'alias', 'plugin'], defaultKey: 'domain' };
  const props = parsePropertyString('a.example.com,plugin=cf', schema, 'acmedomain0');
  assert.deepEqual([...props], [['domain', 'a.example.com'], ['plugin', 'cf']]);
  assert.equal(printPropertyString(props, schema), 'a.example.com,plugin=cf');
  assert.throws(() => parsePropertyString('x.com,colour=red', schema, 'p'), { message: 'p: invalid key in comma-separated list property: colour' });
  assert.throws(() => parsePropertyString('x.com,domain=y.com', schema, 'p'), { message: 'p: duplicate key in comma-separated list property: domain' });
  assert.throws(() => parsePropertyString('x.com', { keys: ['account'] }, 'acme'), { message: 'acme: value without key, but schema does not define a default key' });
});

function domains(text: string): string[] {
  return configuredDomains(parseNodeCfg(text, 'node.cfg'), PLUGINS).map((d) => `${d.source}:${d.domain}:${d.plugin}:${d.kind}${d.alias ? `:${d.alias}` : ''}`);
}

test('configured domains: acme.domains use standalone, slots in numeric order, alias and plugin', () => {
  assert.deepEqual(
    domains('acme: domains=a.example.com;B.example.com\nacmedomain10: *.example.org,plugin=cloudflare\nacmedomain2: c.example.org,alias=ch.example.net,plugin=cloudflare\nacmedomain3: 192.0.2.7,plugin=web\n'),
    [
      'acme:a.example.com:standalone:dns',
      'acme:B.example.com:standalone:dns',
      'acmedomain2:c.example.org:cloudflare:dns:ch.example.net',
      'acmedomain3:192.0.2.7:web:ip',
      'acmedomain10:*.example.org:cloudflare:wildcard',
    ],
  );
});

test('configured domains: every rule has its message', () => {
  const cases: [string, string][] = [
    ['acme: domains=a.example.com;A.EXAMPLE.com\n', "duplicate domain 'A.EXAMPLE.com' in ACME config properties"],
    ['acme: domains=a.example.com\nacmedomain0: A.example.com\n', "duplicate domain 'A.example.com' in ACME config properties 'acmedomain0' and 'acme'"],
    ['acmedomain0: a.example.com,plugin=nope\n', "acmedomain0: plugin 'nope' for domain 'a.example.com' not found!"],
    ['acmedomain0: *.example.com\n', "acmedomain0: wildcard domain '*.example.com' needs a DNS plugin, but plugin 'standalone' is of type 'standalone'"],
    ['acme: domains=*.example.com\n', "acme: wildcard domain '*.example.com' needs a DNS plugin, but plugin 'standalone' is of type 'standalone'"],
    ['acmedomain0: 192.0.2.1,plugin=cloudflare\n', "acmedomain0: IP address '192.0.2.1' cannot be validated through DNS plugin 'cloudflare'"],
    ['acmedomain0: a b.example.com\n', "acmedomain0: invalid format - value 'a b.example.com' does not look like a valid domain name!"],
    ['acmedomain0: a;b.example.com\n', "acmedomain0: invalid format - value 'a;b.example.com' does not look like a valid domain name!"],
    ['acmedomain0: localhost\n', "acmedomain0: invalid format - value 'localhost' does not look like a valid domain name!"],
    ['acmedomain0: a.example.com,alias=bad alias\n', "acmedomain0: invalid format - value 'bad alias' does not look like a valid alias name!"],
    ['acmedomain0: plugin=cloudflare\n', "acmedomain0: missing property 'domain'"],
    ['acme: account=9bad\n', "acme: invalid format - invalid configuration ID '9bad'"],
  ];
  for (const [text, message] of cases) assert.throws(() => domains(text), { message }, text);
});

test('node account: default unless configured; plugin users found leniently', () => {
  assert.equal(nodeAccount(parseNodeCfg('', 'x')), 'default');
  assert.equal(nodeAccount(parseNodeCfg('acme: account=prod\n', 'x')), 'prod');
  const cfg = parseNodeCfg('acmedomain0: a.example.com,plugin=cf\nacmedomain1: garbage,,x=1\nacmedomain4: b.example.com,plugin=cf\n', 'x');
  assert.deepEqual(domainKeysUsingPlugin(cfg, 'cf'), ['acmedomain0', 'acmedomain4']);
});

test('acme profile: a name, stored as given; none means the CA default', () => {
  assert.equal(checkAcmeValue('domains=a.example,profile=shortlived').get('profile'), 'shortlived');
  assert.throws(() => checkAcmeValue('profile=bad name'), /invalid profile name 'bad name'/);
  assert.throws(() => checkAcmeValue('profile=x/y'), /invalid profile name/);
  assert.equal(nodeProfile(parseNodeCfg('acme: domains=a.example,profile=classic\n', 'node.cfg')), 'classic');
  assert.equal(nodeProfile(parseNodeCfg('acme: domains=a.example\n', 'node.cfg')), undefined);
});

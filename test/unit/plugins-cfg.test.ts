import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePluginData, detectPluginsCfgFlavour, encodePluginData, parsePluginsCfg, serializePluginsCfg } from '../../src/core/config/plugins-cfg.ts';
import { addPlugin, pluginView, removePlugin, setPlugin } from '../../src/core/config/plugins.ts';
import { sha1Hex } from '../../src/core/store/store.ts';
import { fixture } from '../helpers/fixtures.ts';

for (const name of ['pve-example', 'pbs-example', 'pve-mixed']) {
  test(`plugins.cfg: an unchanged model gives back the file byte for byte: ${name}`, () => {
    const input = fixture('plugins-cfg', `${name}.in`);
    assert.equal(serializePluginsCfg(parsePluginsCfg(input, name)), input);
  });
}

test('the PVE example has the digest the reference gives (SHA-1 as pvenode shows it)', () => {
  assert.equal(sha1Hex(fixture('plugins-cfg', 'pve-example.in')), '6b9b820563dd1c6d53cd14456af37330d592c156');
});

test('PVE file: bare disable, nodes, padded standard base64 and unknown properties are read', () => {
  const cfg = parsePluginsCfg(fixture('plugins-cfg', 'pve-mixed.in'), 'pve-mixed');
  assert.deepEqual(
    cfg.sections.map((s) => `${s.type}:${s.id}`),
    ['dns:ovh_main', 'standalone:web', 'dns:padded', 'standalone:standalone'],
  );
  const ovh = pluginView(cfg.sections[0]!, 'D');
  assert.deepEqual(ovh, {
    plugin: 'ovh_main',
    type: 'dns',
    digest: 'D',
    api: 'ovh',
    disable: 1,
    'validation-delay': 120,
    nodes: 'pve1,pve2',
    data: 'OVH_AK=k?>~\nOVH_AS=s3cr3t ~?>\n',
    'future-option': 'some value',
  });
  assert.equal(pluginView(cfg.sections[2]!, 'D').data, 'TOKEN=a b c\nSECRET=x=y~~~??\n');
});

test('a PBS file (disable true/false, no trailing blank line) is read', () => {
  const cfg = parsePluginsCfg(fixture('plugins-cfg', 'pbs-example.in'), 'pbs');
  assert.equal(cfg.sections[0]!.props.get('disable'), '0');
  assert.equal(cfg.sections[1]!.props.get('disable'), '1');
});

test('set on one plugin changes only its lines: other sections, comments, bare disable, standard base64 stay', () => {
  const input = fixture('plugins-cfg', 'pve-mixed.in');
  const cfg = parsePluginsCfg(input, 'pve-mixed');
  setPlugin(cfg, 'padded', { 'validation-delay': 5 }, []);
  const out = serializePluginsCfg(cfg);
  assert.equal(out, input.replace('\tdata VE9LRU49YSBiIGMKU0VDUkVUPXg9eX5+fj8/Cg==\n', '\tdata VE9LRU49YSBiIGMKU0VDUkVUPXg9eX5+fj8/Cg==\n\tvalidation-delay 5\n'));
  // the same data again, in another encoding, is no change
  setPlugin(cfg, 'padded', { data: 'TOKEN=a b c\nSECRET=x=y~~~??\n' }, []);
  assert.equal(serializePluginsCfg(cfg), out);
});

test('the implicit standalone plugin is written into a new file only, and comes back after remove', () => {
  const cfg = parsePluginsCfg('', 'empty');
  assert.equal(serializePluginsCfg(cfg), '');
  setPlugin(cfg, 'standalone', { port: 8080 }, []);
  assert.equal(serializePluginsCfg(cfg), 'standalone: standalone\n\tport 8080\n\n');
  removePlugin(cfg, 'standalone');
  assert.equal(serializePluginsCfg(cfg), '');
  const written = parsePluginsCfg('standalone: standalone\n\tport 8080\n\n', 'x');
  removePlugin(written, 'standalone');
  assert.equal(serializePluginsCfg(written), 'standalone: standalone\n\n');
  // an existing file without it keeps its bytes
  const existing = parsePluginsCfg('dns: cf\n\tapi cf\n\n', 'x');
  assert.deepEqual(existing.sections.map((s) => s.id), ['cf', 'standalone']);
  assert.equal(serializePluginsCfg(existing), 'dns: cf\n\tapi cf\n\n');
  // a section named standalone of another type is replaced in place, as both products do
  assert.equal(serializePluginsCfg(parsePluginsCfg('dns: standalone\n\tapi cf\n', 'x')), 'standalone: standalone\n');
});

test('add validates type, duplicates, required and type-specific options', () => {
  const cfg = parsePluginsCfg('', 'x');
  assert.throws(() => addPlugin(cfg, 'http', 'a1', {}), { message: "type: value 'http' does not have a value in the enumeration 'dns, standalone'" });
  assert.throws(() => addPlugin(cfg, 'dns', 'a1', {}), { message: "api: missing value for required option 'api'" });
  assert.throws(() => addPlugin(cfg, 'standalone', 'a1', { 'validation-delay': 3 }), { message: "validation-delay: unexpected property 'validation-delay'" });
  assert.throws(() => addPlugin(cfg, 'dns', 'a1', { api: 'cf', port: 80 }), { message: "port: unexpected property 'port'" });
  assert.equal(addPlugin(cfg, 'dns', 'a1', { api: 'cf', data: 'A=1\n', disable: true }), true);
  assert.throws(() => addPlugin(cfg, 'dns', 'a1', { api: 'cf' }), { message: "id: ACME plugin ID 'a1' already exists with other settings - change it with certnode acme plugin set a1" });
  assert.throws(() => addPlugin(cfg, 'standalone', 'a1', { disable: true }), /already exists with other settings/);
  // exactly what is there: no change, no error
  assert.equal(addPlugin(cfg, 'dns', 'a1', { api: 'cf', data: 'A=1\n', disable: true }), false);
  // a new file is written as PVE writes: disable (bare) first, then the required api, then the rest sorted
  assert.equal(serializePluginsCfg(cfg), 'standalone: standalone\n\ndns: a1\n\tdisable\n\tapi cf\n\tdata QT0xCg\n\n');
});

test('set: --delete rules', () => {
  const cfg = parsePluginsCfg('dns: a1\n\tapi cf\n\tdata QT0xCg\n\tvalidation-delay 9\n', 'x');
  assert.throws(() => setPlugin(cfg, 'nope', {}, []), { message: "id: ACME plugin ID 'nope' does not exist" });
  assert.throws(() => setPlugin(cfg, 'a1', {}, ['api']), { message: "delete: unable to delete required option 'api'" });
  assert.throws(() => setPlugin(cfg, 'a1', {}, ['bogus']), { message: "delete: no such option 'bogus'" });
  setPlugin(cfg, 'a1', { disable: true }, ['data', 'validation-delay']);
  // no blank line after the last section: a PBS file, so PBS's spelling
  assert.equal(serializePluginsCfg(cfg), 'dns: a1\n\tapi cf\n\tdisable true\n');
  setPlugin(cfg, 'a1', { disable: false }, []);
  assert.equal(serializePluginsCfg(cfg), 'dns: a1\n\tapi cf\n');
});

test('malformed lines name the file and line', () => {
  const cases: [string, string][] = [
    ['\tapi cf\n', 'p.cfg line 1: syntax error (expected header)'],
    ['dns: a\n\tapi cf\n\n\tdata x\n', 'p.cfg line 4: syntax error (expected header)'],
    ['dns a\n', "p.cfg line 1: syntax error (expected header 'type: id', got 'dns a')"],
    ['dns: a\n\tapi cf\ndns: a\n', "p.cfg line 3: duplicate section 'a'"],
    ['dns: a\n\tapi cf\n\tapi ovh\n', "p.cfg line 3: duplicate property 'api' in section 'a'"],
    ['dns: a\n\tdisable maybe\n', "p.cfg line 2: property 'disable': unable to parse boolean 'maybe'"],
    ['dns: a\n\tapi\n', "p.cfg line 2: property 'api' has no value"],
  ];
  for (const [text, message] of cases) assert.throws(() => parsePluginsCfg(text, 'p.cfg'), { message }, JSON.stringify(text));
});

test('plugin data: base64url without padding written, standard/padded read, invalid kept raw', () => {
  assert.equal(encodePluginData('A=~~~??\n'), 'QT1-fn4_Pwo');
  assert.equal(decodePluginData('QT1-fn4_Pwo'), 'A=~~~??\n');
  assert.equal(decodePluginData('QT1+fn4/Pwo='), 'A=~~~??\n');
  assert.equal(decodePluginData('not base64!'), undefined);
  assert.equal(decodePluginData('/w'), undefined); // 0xff is not UTF-8
  const cfg = parsePluginsCfg('dns: a\n\tapi cf\n\tdata not*base64\n', 'x');
  assert.equal(pluginView(cfg.sections[0]!, 'd').data, 'not*base64');
  assert.match(serializePluginsCfg(cfg), /\tdata not\*base64\n/);
});

test('plugins.cfg flavour: PBS by true/false or no blank line at the end, PVE by bare disable, comments, nodes or the final blank line', () => {
  assert.equal(detectPluginsCfgFlavour(''), 'pve');
  assert.equal(detectPluginsCfgFlavour('dns: a\n\tapi cf\n\n'), 'pve');
  assert.equal(detectPluginsCfgFlavour('dns: a\n\tapi cf\n'), 'pbs');
  assert.equal(detectPluginsCfgFlavour('dns: a\n\tapi cf\n\tdisable false\n\n'), 'pbs');
  assert.equal(detectPluginsCfgFlavour('dns: a\n\tdisable\n\tapi cf\n'), 'pve');
  assert.equal(detectPluginsCfgFlavour('# c\ndns: a\n\tapi cf\n'), 'pve');
  assert.equal(detectPluginsCfgFlavour('dns: a\n\tapi cf\n\tnodes n1\n'), 'pve');
});

test('plugins.cfg: PBS sections are added and removed with PBS separators', () => {
  const text = 'dns: a\n\tapi cf\n\tdata QT0xCg\n\nstandalone: standalone\n';
  const cfg = parsePluginsCfg(text, 'x');
  addPlugin(cfg, 'dns', 'b', { api: 'cf', data: 'B=2\n', disable: true });
  const added = `${text}\ndns: b\n\tapi cf\n\tdata Qj0yCg\n\tdisable true\n`;
  assert.equal(serializePluginsCfg(cfg), added);
  const again = parsePluginsCfg(added, 'x');
  removePlugin(again, 'a');
  assert.equal(serializePluginsCfg(again), 'standalone: standalone\n\ndns: b\n\tapi cf\n\tdata Qj0yCg\n\tdisable true\n');
  removePlugin(again, 'b');
  assert.equal(serializePluginsCfg(again), 'standalone: standalone\n');
  // a value with a control character would break the file: refused
  setPlugin(again, 'standalone', { address: 'x\ny' }, []);
  assert.throws(() => serializePluginsCfg(again), { message: "detected unexpected control character in section 'standalone' key 'address'" });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderResult, toJson, type RenderOptions, type Result } from '../../src/core/output/render.ts';

const base: RenderOptions = { format: 'text', border: true, header: true, utf8: true, width: undefined };
const object: Result = { kind: 'object', data: { type: 'dns', api: 'ovh', data: 'OVH_AK=1\nOVH_AS=2\n', disable: undefined, plugin: 'example_plugin' } };

test('object: key/value table sorted by key, multi-line cells, UTF-8 box drawing', async () => {
  assert.equal(
    await renderResult(object, base),
    [
      '┌────────┬────────────────┐',
      '│ key    │ value          │',
      '╞════════╪════════════════╡',
      '│ api    │ ovh            │',
      '├────────┼────────────────┤',
      '│ data   │ OVH_AK=1       │',
      '│        │ OVH_AS=2       │',
      '├────────┼────────────────┤',
      '│ plugin │ example_plugin │',
      '├────────┼────────────────┤',
      '│ type   │ dns            │',
      '└────────┴────────────────┘',
      '',
    ].join('\n'),
  );
});

test('ASCII when the locale is not UTF-8; noheader drops the header and its rule', async () => {
  assert.equal(
    await renderResult(object, { ...base, utf8: false, header: false }),
    ['+--------+----------------+', '| api    | ovh            |', '+--------+----------------+', '| data   | OVH_AK=1       |', '|        | OVH_AS=2       |', '+--------+----------------+', '| plugin | example_plugin |', '+--------+----------------+', '| type   | dns            |', '+--------+----------------+', ''].join('\n'),
  );
  assert.equal((await renderResult(object, { ...base, utf8: false })).split('\n')[2], '+========+================+');
});

test('list: columns in order, empty columns hidden, numbers right-aligned, rows sorted by the first column', async () => {
  const list: Result = {
    kind: 'list',
    data: [
      { plugin: 'standalone', type: 'standalone' },
      { plugin: 'cf', type: 'dns', api: 'cf', 'validation-delay': 120 },
      { plugin: 'acme-dns', type: 'dns', api: 'acmedns', 'validation-delay': 5 },
    ],
    columns: [{ key: 'plugin', always: true }, { key: 'type' }, { key: 'api' }, { key: 'nodes' }, { key: 'validation-delay', align: 'right' }],
  };
  assert.equal(
    await renderResult(list, { ...base, border: false }),
    ['plugin     type       api     validation-delay', 'acme-dns   dns        acmedns                5', 'cf         dns        cf                   120', 'standalone standalone', ''].join('\n'),
  );
  assert.equal((await renderResult(list, { ...base, border: false, header: false })).split('\n')[0], 'acme-dns   dns        acmedns   5');
  assert.equal(await renderResult({ kind: 'list', data: [], columns: [{ key: 'plugin' }] }, base), '');
});

test('a terminal width wraps long cells; no column is lost, no line is longer', async () => {
  const list: Result = {
    kind: 'list',
    data: [
      { plugin: 'cloudflare-production', type: 'dns', api: 'cf', digest: 'b197ca9d65efd68b2ab5e970a4c292242fe948f28f97647ce671cb96b99b688a', nodes: 'pve1,pve2,pve3' },
      { plugin: 'standalone', type: 'standalone', digest: 'b197ca9d65efd68b2ab5e970a4c292242fe948f28f97647ce671cb96b99b688a' },
    ],
    columns: [{ key: 'plugin', always: true }, { key: 'type', always: true }, { key: 'api' }, { key: 'digest', shrinkFirst: true }, { key: 'nodes' }],
  };
  assert.equal(
    await renderResult(list, { ...base, width: 80 }),
    [
      '┌───────────────────────┬────────────┬─────┬──────────────────┬────────────────┐',
      '│ plugin                │ type       │ api │ digest           │ nodes          │',
      '╞═══════════════════════╪════════════╪═════╪══════════════════╪════════════════╡',
      '│ cloudflare-production │ dns        │ cf  │ b197ca9d65efd68b │ pve1,pve2,pve3 │',
      '│                       │            │     │ 2ab5e970a4c29224 │                │',
      '│                       │            │     │ 2fe948f28f97647c │                │',
      '│                       │            │     │ e671cb96b99b688a │                │',
      '├───────────────────────┼────────────┼─────┼──────────────────┼────────────────┤',
      '│ standalone            │ standalone │     │ b197ca9d65efd68b │                │',
      '│                       │            │     │ 2ab5e970a4c29224 │                │',
      '│                       │            │     │ 2fe948f28f97647c │                │',
      '│                       │            │     │ e671cb96b99b688a │                │',
      '└───────────────────────┴────────────┴─────┴──────────────────┴────────────────┘',
      '',
    ].join('\n'),
  );
  const narrow = (await renderResult(list, { ...base, border: false, width: 60 })).split('\n');
  assert.ok(narrow.every((l) => l.length <= 60), narrow.join('\n'));
  assert.match(narrow[0]!, /^plugin +type +api +digest +nodes$/);
  // without a terminal nothing wraps
  assert.equal((await renderResult(list, base)).split('\n')[3]!.length, 128);
});

test('East Asian wide characters take two columns: the borders stay aligned', async () => {
  const result: Result = { kind: 'object', data: { description: '日本語のテキスト', name: 'ascii' } };
  assert.equal(
    await renderResult(result, base),
    [
      '┌─────────────┬──────────────────┐',
      '│ key         │ value            │',
      '╞═════════════╪══════════════════╡',
      '│ description │ 日本語のテキスト │',
      '├─────────────┼──────────────────┤',
      '│ name        │ ascii            │',
      '└─────────────┴──────────────────┘',
      '',
    ].join('\n'),
  );
  // wrapped by display width, not by code points
  const wrapped = (await renderResult(result, { ...base, width: 30 })).split('\n');
  assert.deepEqual(wrapped.slice(3, 5), ['│ description │ 日本語のテキ │', '│             │ スト         │']);
});

test('json is compact with sorted keys; json-pretty is pvenode style', async () => {
  const data = { b: [1, { d: true, c: null }], a: 'x', e: {}, f: [], g: undefined };
  assert.equal(toJson(data, false), '{"a":"x","b":[1,{"c":null,"d":true}],"e":{},"f":[]}');
  assert.equal(toJson(data, true), '{\n   "a" : "x",\n   "b" : [\n      1,\n      {\n         "c" : null,\n         "d" : true\n      }\n   ],\n   "e" : {},\n   "f" : []\n}');
  assert.equal(await renderResult(object, { ...base, format: 'json' }), '{"api":"ovh","data":"OVH_AK=1\\nOVH_AS=2\\n","plugin":"example_plugin","type":"dns"}\n');
});

test('nested values render as YAML lines in a cell, booleans as 1/0', async () => {
  const result: Result = { kind: 'object', data: { account: { contact: ['mailto:a@example.com'], status: 'valid', orders: [] }, ok: true } };
  assert.equal(
    await renderResult(result, { ...base, border: false, header: false }),
    ['account contact:', '          - mailto:a@example.com', '        orders: []', '        status: valid', 'ok      1', ''].join('\n'),
  );
});

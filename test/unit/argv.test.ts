import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeArgv } from '../../src/core/argv.ts';
import { buildProgram, commandNode } from '../../src/commands/index.ts';

const tree = commandNode(buildProgram('0', () => {}));
const norm = (line: string): string => normalizeArgv(line.split(' ').filter(Boolean), tree).join(' ');

test('unique prefixes of subcommands resolve', () => {
  assert.equal(norm('acme plug li'), 'acme plugin list');
  assert.equal(norm('ac pl ad dns cf --api cf'), 'acme plugin add dns cf --api cf'); // 'a' alone: add or apis
  assert.equal(norm('conf s --acme domains=a.example.com'), 'config set --acme domains=a.example.com');
  // positional arguments of a leaf are never rewritten
  assert.equal(norm('acme plugin config li'), 'acme plugin config li');
});

test('an ambiguous prefix is an error that lists the candidates', () => {
  const leaf = (name: string) => ({ name, aliases: [], subcommands: [], options: [] });
  const root = { name: 'certnode', aliases: [], options: [], subcommands: [{ name: 'cert', aliases: [], options: [], subcommands: [leaf('set'), leaf('setup')] }, leaf('config')] };
  assert.throws(() => normalizeArgv(['c'], root), { message: "ambiguous command 'certnode c' - could be cert, config" });
  assert.equal(normalizeArgv(['cer', 'set'], root).join(' '), 'cert set'); // exact match wins over prefix
  assert.throws(() => normalizeArgv(['cer', 'se'], root), { message: "ambiguous command 'certnode cert se' - could be set, setup" });
});

test('-long equals --long; booleans take values or stand bare', () => {
  assert.equal(norm('acme plugin add dns cf -api cf -disable'), 'acme plugin add dns cf --api cf --disable=true');
  assert.equal(norm('acme plugin set cf --disable 0'), 'acme plugin set cf --disable=false');
  assert.equal(norm('acme plugin set cf --disable=yes'), 'acme plugin set cf --disable=true');
  assert.equal(norm('acme plugin set cf --disable OFF'), 'acme plugin set cf --disable=false');
  // a bare boolean does not swallow a following positional
  assert.equal(norm('acme plugin set --disable cf'), 'acme plugin set --disable=true cf');
  assert.equal(norm('--noborder 1 acme plugin list --noheader'), '--noborder=true acme plugin list --noheader=true');
  assert.throws(() => norm('acme plugin set cf --disable=maybe'), { message: "disable: unable to parse boolean option 'maybe'" });
});

test('option values are not taken for subcommands; -- ends option parsing', () => {
  assert.equal(norm('--config-dir acme acme plug li'), '--config-dir acme acme plugin list');
  assert.equal(norm('acme plugin config -- -force'), 'acme plugin config -- -force');
});

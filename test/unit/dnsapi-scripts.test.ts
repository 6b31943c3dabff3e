// dns_<api>_info parsing (text only, with the known deviations) and the script search order.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { dnsapiSearchDirs, findDnsApiScript, listDnsApis, parseApiInfo } from '../../src/core/challenge/dnsapi-scripts.ts';
import { configPaths } from '../../src/core/paths.ts';
import { DNSAPI_FIXTURES, tempDir } from '../helpers/cli.ts';
import { writeFileSync } from 'node:fs';

const info = (api: string) => parseApiInfo(api, readFileSync(join(DNSAPI_FIXTURES, `dns_${api}.sh`), 'utf8'));
const fields = (api: string) => info(api).fields.map((f) => [f.name, f.group, f.optional, f.default ?? null]);

test('standard block: title, sections, Options and OptionsAlt, Optional. and Default: "x".', () => {
  const i = info('exampledns');
  assert.equal(i.name, 'ExampleDNS.test');
  assert.equal(i.site, 'exampledns.test');
  assert.equal(i.docs, 'github.com/example/wiki/dnsapi#dns_exampledns');
  assert.equal(i.issues, 'github.com/example/issues/1');
  assert.equal(i.author, 'Somebody <somebody@example.test>');
  assert.deepEqual(fields('exampledns'), [
    ['EXAMPLE_Key', 'Options', false, null],
    ['EXAMPLE_Email', 'Options', false, null],
    ['EXAMPLE_Token', 'OptionsAlt', false, null],
    ['EXAMPLE_Zone_ID', 'OptionsAlt', true, null],
    ['EXAMPLE_Ttl', 'OptionsAlt', true, '120'],
  ]);
});

test('description lines after the title', () => {
  assert.equal(info('cliwrap').description, 'Uses the vendor command line tool, which must be installed and logged in already.');
  assert.deepEqual(info('cliwrap').fields, [], 'no Options: at all');
});

test('option lines without a leading space (and URLs with a scheme)', () => {
  assert.equal(info('plainopts').site, 'https://plainopts.test');
  assert.deepEqual(fields('plainopts'), [
    ['PLAINOPTS_URL', 'Options', false, null],
    ['PLAINOPTS_API_KEY', 'Options', false, null],
    ['PLAINOPTS_TTL', 'Options', true, '300'],
  ]);
});

test('two-space column-aligned options with a wrapped description; Notes continued', () => {
  const i = info('aligned');
  assert.deepEqual(fields('aligned'), [
    ['ALIGNED_Username', 'Options', false, null],
    ['ALIGNED_Password', 'Options', false, null],
    ['ALIGNED_Ttl', 'Options', true, '60'],
  ]);
  assert.equal(i.fields[1]!.description, 'Your password, a long sentence that the author wrapped onto a second line.');
  assert.equal(i.other.Notes, 'records are kept for one hour.');
});

test('three-space options and titles after Options:/OptionsAlt:', () => {
  const i = info('indent3');
  assert.equal(i.optionsTitle, 'For the old API version v1');
  assert.equal(i.optionsAltTitle, 'For the current API version v2');
  assert.deepEqual(fields('indent3'), [
    ['INDENT3_Api_Key', 'Options', false, null],
    ['INDENT3_Login', 'OptionsAlt', false, null],
    ['INDENT3_Password', 'OptionsAlt', false, null],
    ['INDENT3_Ver', 'OptionsAlt', true, 'v2'],
  ]);
});

test('a JSON array instead of text', () => {
  const i = info('jsoninfo');
  assert.equal(i.name, 'jsoninfo');
  assert.deepEqual(fields('jsoninfo'), [
    ['JSONINFO_AuthToken', 'Options', false, null],
    ['JSONINFO_Zone', 'Options', true, null],
  ]);
});

test('a block far down the file, lower-case default: under OptionsAlt, other keywords kept', () => {
  const i = info('lateinfo');
  assert.equal(i.name, 'Late Info Cloud');
  assert.equal(i.other.Signature, 'hmac-sha256');
  assert.deepEqual(fields('lateinfo'), [
    ['LATE_AccessKey', 'Options', false, null],
    ['LATE_SecretKey', 'Options', false, null],
    ['LATE_Host', 'OptionsAlt', true, 'api.late.test'],
    ['LATE_Region', 'OptionsAlt', true, 'north-1'],
  ]);
});

test('an Optional: section', () => {
  assert.deepEqual(fields('optsection'), [
    ['OPTSECTION_TOKEN', 'Options', false, null],
    ['OPTSECTION_TTL', 'Optional', true, null],
    ['OPTSECTION_API', 'Optional', true, 'https://api.optsection.test/v1'],
  ]);
});

test('a block naming the wrong variable: the one the code reads is added (comments ignored)', () => {
  assert.deepEqual(fields('wrongdoc'), [
    ['WRONGDOC_Tokn', 'Options', false, null],
    ['WRONGDOC_TOKEN', 'code', true, null],
  ]);
});

test('no block at all: the api name, fields from the code only', () => {
  const i = info('noinfo');
  assert.equal(i.hasInfo, false);
  assert.equal(i.name, 'noinfo');
  assert.deepEqual(i.fields, []);
});

test('the block is read as text: a script whose top level would run a command is never executed', () => {
  const script = "touch /tmp/certnode-never\ndns_evil_info='Evil\nOptions:\n EVIL_Key $(reboot) key\n'\n";
  const i = parseApiInfo('evil', script);
  assert.deepEqual(i.fields.map((f) => [f.name, f.description]), [['EVIL_Key', '$(reboot) key']]);
});

test('search order: env, node setting dnsapi-dir, then the install locations; first match wins', () => {
  const { dir, cleanup } = tempDir();
  try {
    writeFileSync(join(dir, 'node.cfg'), `dnsapi-dir: ${join(dir, 'setting')}\n`);
    const dirs = dnsapiSearchDirs(configPaths(dir), { CERTNODE_DNSAPI_DIR: DNSAPI_FIXTURES, HOME: '/home/someone' });
    assert.deepEqual(
      dirs.map((d) => d.dir),
      [
        DNSAPI_FIXTURES,
        join(dir, 'setting'),
        '/usr/share/proxmox-acme/dnsapi',
        '/root/.acme.sh/dnsapi',
        '/home/someone/.acme.sh/dnsapi',
        '/usr/share/acme.sh/dnsapi',
        '/usr/lib/acme.sh/dnsapi',
      ],
    );
    assert.equal(findDnsApiScript('exampledns', dirs), join(DNSAPI_FIXTURES, 'dns_exampledns.sh'));
    assert.equal(findDnsApiScript('nosuch', dirs), undefined);
    assert.ok(listDnsApis(dirs).some((a) => a.api === 'certnodetest'));
  } finally {
    cleanup();
  }
});

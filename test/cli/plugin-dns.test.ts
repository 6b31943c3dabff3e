// acme plugin apis, and what plugin add/set do with DNS API scripts, run as the built binary.

import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli, tempDir } from '../helpers/cli.ts';

describe('acme plugin apis / add dns', () => {
  const { dir, cleanup } = tempDir();
  const cfgDir = join(dir, 'etc');
  const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(args, { configDir: cfgDir, ...opts });
  after(cleanup);

  test('apis lists the scripts found, with title and fields', async () => {
    const r = await run(['acme', 'plugin', 'apis', '--noborder']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^api\s+name\s+fields$/);
    assert.ok(lines.some((l) => /^exampledns\s+ExampleDNS\.test\s+EXAMPLE_Key,EXAMPLE_Email,EXAMPLE_Token,EXAMPLE_Zone_ID,EXAMPLE_Ttl$/.test(l)));
    assert.ok(lines.some((l) => /^jsoninfo\s+jsoninfo\s+JSONINFO_AuthToken,JSONINFO_Zone$/.test(l)));
    const json = await run(['acme', 'plugin', 'apis', '--output-format', 'json']);
    const rows = JSON.parse(json.stdout) as { api: string; name: string; fields: { name: string }[]; script: string }[];
    const plain = rows.find((x) => x.api === 'plainopts')!;
    assert.deepEqual({ ...plain, fields: plain.fields.map((f) => f.name) }, { api: 'plainopts', name: 'PlainOpts DNS', fields: ['PLAINOPTS_URL', 'PLAINOPTS_API_KEY', 'PLAINOPTS_TTL'], script: plain.script });
    // the same field objects as `plugin apis <api>` gives
    const one = JSON.parse((await run(['acme', 'plugin', 'apis', 'plainopts', '--output-format', 'json'])).stdout) as { fields: unknown[] };
    assert.deepEqual(plain.fields, one.fields.filter((f) => plain.fields.some((p) => p.name === (f as { name: string }).name)));
    assert.deepEqual(rows.map((x) => x.api), [...rows.map((x) => x.api)].sort(), 'JSON in the text order');
  });

  test('apis with no scripts anywhere: an empty list, and a line saying where it looked', async () => {
    const empty = join(dir, 'no-scripts');
    mkdirSync(empty, { recursive: true });
    const r = await run(['acme', 'plugin', 'apis', '--output-format', 'json'], { env: { CERTNODE_DNSAPI_DIR: empty } });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '[]\n');
    assert.match(r.stderr, /^no DNS API scripts \(dns_<api>\.sh\) found; looked in: \S+no-scripts \(CERTNODE_DNSAPI_DIR\), \/usr\/share\/proxmox-acme\/dnsapi \(Proxmox\), .*point CERTNODE_DNSAPI_DIR \(or certnode config set --dnsapi-dir\) at them\n$/);
  });

  test('apis <api>: key/value view plus the field list; json has both', async () => {
    const r = await run(['acme', 'plugin', 'apis', 'indent3', '--noborder']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^key\s+value\napi\s+indent3\nname\s+Indent3\.test\nsite\s+indent3\.test\noptions\s+For the old API version v1\noptions-alt\s+For the current API version v2\nscript\s+\S+dns_indent3\.sh\n\nname\s+optional\s+default\s+group\s+description\n/);
    assert.match(r.stdout, /\nINDENT3_Ver\s+1\s+v2\s+OptionsAlt\s+API version\. Default: "v2"\.\n/);
    const json = JSON.parse((await run(['acme', 'plugin', 'apis', 'optsection', '--output-format', 'json'])).stdout) as { fields: unknown[] };
    assert.deepEqual(json.fields[2], { name: 'OPTSECTION_API', optional: true, default: 'https://api.optsection.test/v1', group: 'Optional', description: 'API base URL. Default: "https://api.optsection.test/v1".' });
  });

  test('apis <api> for a missing script fails naming the directories searched', async () => {
    const r = await run(['acme', 'plugin', 'apis', 'nosuch']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /no DNS API script dns_nosuch\.sh found; looked in: \S+test\/fixtures\/dnsapi \(CERTNODE_DNSAPI_DIR\), \/usr\/share\/proxmox-acme\/dnsapi \(Proxmox\), /);
  });

  test('plugin add dns x --api nosuch fails listing the dirs searched, and writes nothing', async () => {
    const r = await run(['acme', 'plugin', 'add', 'dns', 'xx', '--api', 'nosuch']);
    assert.equal(r.code, 255);
    assert.match(r.stderr, /^ERROR: api: no DNS API script dns_nosuch\.sh found; looked in: .*\/test\/fixtures\/dnsapi \(CERTNODE_DNSAPI_DIR\), \/usr\/share\/proxmox-acme\/dnsapi \(Proxmox\), \/root\/\.acme\.sh\/dnsapi \(acme\.sh install\), .*\/usr\/share\/acme\.sh\/dnsapi \(acme\.sh package\), \/usr\/lib\/acme\.sh\/dnsapi \(acme\.sh package\)/);
    const list = await run(['acme', 'plugin', 'list', '--output-format', 'json']);
    assert.doesNotMatch(list.stdout, /"xx"/);
    // the old validation still comes first
    const bad = await run(['acme', 'plugin', 'add', 'dns', 'xx', '--api', 'no-such!']);
    assert.match(bad.stderr, /api: invalid format - invalid DNS API name 'no-such!'/);
  });

  test('node setting dnsapi-dir is searched; set --api checks too', async () => {
    const scripts = join(dir, 'scripts');
    mkdirSync(scripts, { recursive: true });
    writeFileSync(join(scripts, 'dns_fromsetting.sh'), "dns_fromsetting_info='From setting\n'\ndns_fromsetting_add() { return 0; }\ndns_fromsetting_rm() { return 0; }\n");
    mkdirSync(cfgDir, { recursive: true });
    writeFileSync(join(cfgDir, 'node.cfg'), `dnsapi-dir: ${scripts}\n`);
    const add = await run(['acme', 'plugin', 'add', 'dns', 'fs1', '--api', 'fromsetting']);
    assert.deepEqual(add, { code: 0, stdout: '', stderr: '' });
    const set = await run(['acme', 'plugin', 'set', 'fs1', '--api', 'nosuch']);
    assert.equal(set.code, 255);
    assert.match(set.stderr, /dns_nosuch\.sh found; looked in: .*scripts \(node setting dnsapi-dir\)/);
  });

  test('add warns about a missing data file and about keys the script does not document (stderr), and still adds', async () => {
    const secretDir = join(dir, 'private');
    mkdirSync(secretDir, { recursive: true });
    writeFileSync(join(secretDir, 'tsig.key'), 'k');
    chmodSync(secretDir, 0o700);
    const data = join(dir, 'nsupdate.data');
    writeFileSync(data, `CF_Token=${join(secretDir, 'tsig.key')}\nCF_Account_ID=${join(dir, 'missing.key')}\nCF_Acount_ID=1234\nNOT_A_CF_THING=1\n`);
    const r = await run(['acme', 'plugin', 'add', 'dns', 'warn1', '--api', 'cf', '--data', data]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, '');
    // as root the script gets a private copy of a file only root can read: no warning for that one
    assert.doesNotMatch(r.stderr, /data CF_Token=/);
    assert.match(r.stderr, /^WARNING: data CF_Account_ID=\S+missing\.key: does not exist; the DNS script will not be able to read it$/m);
    assert.match(r.stderr, /^WARNING: data CF_Acount_ID: not a setting of dns_cf\.sh - did you mean CF_Account_ID\?$/m);
    assert.match(r.stderr, /^WARNING: data NOT_A_CF_THING: not a setting of dns_cf\.sh \(it knows: CF_Token, CF_Account_ID\)$/m);
    // set warns the same way (the api comes from the stored plugin)
    writeFileSync(data, 'CF_Tokn=x\n');
    const set = await run(['acme', 'plugin', 'set', 'warn1', '--data', data]);
    assert.equal(set.code, 0);
    assert.match(set.stderr, /^WARNING: data CF_Tokn: not a setting of dns_cf\.sh - did you mean CF_Token\?$/m);
  });
});

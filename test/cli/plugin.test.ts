// acme plugin list/config/add/set/remove, run as the built binary.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixture } from '../helpers/fixtures.ts';
import { runCli, snapshot, tempDir } from '../helpers/cli.ts';

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

describe('acme plugin', () => {
  const { dir, cleanup } = tempDir();
  const cfgDir = join(dir, 'etc');
  const plugins = join(cfgDir, 'acme', 'plugins.cfg');
  const dataFile = join(dir, 'cf.data');
  const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(args, { configDir: cfgDir, ...opts });

  before(() => writeFileSync(dataFile, 'CF_Token=abc def\r\n\nCF_Account_ID=x=y\n'));
  after(cleanup);

  test('list on an empty config shows the implicit standalone plugin', async () => {
    const r = await run(['acme', 'plugin', 'list', '--noborder']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    const digest = createHash('sha256').update('').digest('hex');
    assert.equal(r.stdout, `plugin     type       digest\nstandalone standalone ${digest}\n`);
  });

  test('add dns with --data: file written 0600 in a 0700 dir even under umask 000, nothing printed', async () => {
    const r = await run(['acme', 'plugin', 'add', 'dns', 'cf', '--api', 'cf', '--data', dataFile, '-validation-delay', '60', '--nodes', 'pve1', '--nodes', 'pve2'], { umask: '000' });
    assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    assert.equal(
      readFileSync(plugins, 'utf8'),
      'standalone: standalone\n\ndns: cf\n\tapi cf\n\tdata Q0ZfVG9rZW49YWJjIGRlZgpDRl9BY2NvdW50X0lEPXg9eQo\n\tnodes pve1,pve2\n\tvalidation-delay 60\n\n',
    );
    assert.equal(mode(plugins), '600');
    assert.equal(mode(join(cfgDir, 'acme')), '700');
  });

  test('config shows data decoded and the digest, in text, json and json-pretty', async () => {
    const digest = sha256(plugins);
    const text = await run(['acme', 'plugin', 'config', 'cf']);
    assert.equal(text.code, 0);
    assert.equal(
      text.stdout,
      [
        '┌──────────────────┬──────────────────────────────────────────────────────────────────┐',
        '│ key              │ value                                                            │',
        '╞══════════════════╪══════════════════════════════════════════════════════════════════╡',
        '│ api              │ cf                                                               │',
        '├──────────────────┼──────────────────────────────────────────────────────────────────┤',
        '│ data             │ CF_Token=abc def                                                 │',
        '│                  │ CF_Account_ID=x=y                                                │',
        '├──────────────────┼──────────────────────────────────────────────────────────────────┤',
        `│ digest           │ ${digest} │`,
        '├──────────────────┼──────────────────────────────────────────────────────────────────┤',
        '│ nodes            │ pve1,pve2                                                        │',
        '├──────────────────┼──────────────────────────────────────────────────────────────────┤',
        '│ plugin           │ cf                                                               │',
        '├──────────────────┼──────────────────────────────────────────────────────────────────┤',
        '│ type             │ dns                                                              │',
        '├──────────────────┼──────────────────────────────────────────────────────────────────┤',
        '│ validation-delay │ 60                                                               │',
        '└──────────────────┴──────────────────────────────────────────────────────────────────┘',
        '',
      ].join('\n'),
    );
    const json = await run(['acme', 'plugin', 'config', 'cf', '--output-format', 'json']);
    assert.equal(json.stdout, `{"api":"cf","data":"CF_Token=abc def\\nCF_Account_ID=x=y\\n","digest":"${digest}","nodes":"pve1,pve2","plugin":"cf","type":"dns","validation-delay":60}\n`);
    const pretty = await run(['acme', 'plugin', 'config', 'cf'], { env: { CERTNODE_OUTPUT_FORMAT: 'json-pretty' } });
    assert.deepEqual(JSON.parse(pretty.stdout), JSON.parse(json.stdout));
    assert.match(pretty.stdout, /^{\n   "api" : "cf",\n/);
  });

  test('ASCII tables when the locale is not UTF-8; TTY output wraps to the terminal width', async () => {
    const ascii = await run(['acme', 'plugin', 'list', '--type', 'standalone'], { env: { LANG: 'C' } });
    const digest = sha256(plugins);
    assert.equal(
      ascii.stdout,
      `+------------+------------+------------------------------------------------------------------+\n| plugin     | type       | digest                                                           |\n+============+============+==================================================================+\n| standalone | standalone | ${digest} |\n+------------+------------+------------------------------------------------------------------+\n`,
    );
    const tty = await run(['acme', 'plugin', 'list', '--type', 'standalone'], { tty: true, columns: 40 });
    assert.equal(tty.code, 0);
    assert.deepEqual(tty.stdout.split('\n'), [
      '┌────────────┬────────────┬────────────┐',
      '│ plugin     │ type       │ digest     │',
      '╞════════════╪════════════╪════════════╡',
      `│ standalone │ standalone │ ${digest.slice(0, 10)} │`,
      ...[1, 2, 3, 4, 5, 6].map((i) => `│            │            │ ${digest.slice(i * 10, i * 10 + 10).padEnd(10)} │`),
      '└────────────┴────────────┴────────────┘',
      '',
    ]);
    const piped = await run(['acme', 'plugin', 'list', '--type', 'standalone']);
    assert.equal(piped.stdout.split('\n')[3], `│ standalone │ standalone │ ${digest} │`);
  });

  test('list --type dns in json; list sorted by plugin id', async () => {
    await run(['acme', 'plugin', 'add', 'standalone', 'alt', '--port', '8080', '--address', '127.0.0.1']);
    const digest = sha256(plugins);
    const r = await run(['acme', 'plugin', 'list', '--type', 'dns', '--output-format', 'json']);
    assert.equal(r.stdout, `[{"api":"cf","data":"CF_Token=abc def\\nCF_Account_ID=x=y\\n","digest":"${digest}","nodes":"pve1,pve2","plugin":"cf","type":"dns","validation-delay":60}]\n`);
    const all = await run(['acme', 'plugin', 'list', '--noborder', '--noheader']);
    assert.deepEqual(
      all.stdout.split('\n').map((l) => l.split(/\s+/)[0]),
      ['alt', 'cf', '', 'standalone', ''],
    );
    assert.match(all.stdout, /^alt +standalone +127\.0\.0\.1 .* 8080$/m);
  });

  test('set with the right digest and --delete; the standalone plugin takes --port', async () => {
    const r = await run(['acme', 'plugin', 'set', 'cf', '--digest', sha256(plugins), '--delete', 'nodes', '--disable', '1']);
    assert.deepEqual(r, { code: 0, stdout: '', stderr: '' });
    // PVE's spelling and place for the flag: bare, right after the header
    assert.match(readFileSync(plugins, 'utf8'), /dns: cf\n\tdisable\n\tapi cf\n\tdata \S+\n\tvalidation-delay 60\n\n/);
    assert.equal((await run(['acme', 'plugin', 'set', 'standalone', '--port', '5002'])).code, 0);
    const cfg = await run(['acme', 'plugin', 'config', 'standalone', '--output-format', 'json']);
    assert.equal(JSON.parse(cfg.stdout).port, 5002);
    assert.equal((await run(['acme', 'pl', 'se', 'cf', '-disable', 'no'])).code, 0);
    assert.doesNotMatch(readFileSync(plugins, 'utf8'), /disable/);
  });

  test('a stale --digest fails with the Proxmox message and changes nothing', async () => {
    const before = snapshot(cfgDir);
    const r = await run(['acme', 'plugin', 'set', 'cf', '--validation-delay', '5', '--digest', '0'.repeat(64)]);
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'ERROR: detected modified configuration - file changed by other user? Try again.\n');
    assert.deepEqual(snapshot(cfgDir), before);
  });

  test('--propagation sleep|check is stored on dns plugins and can be deleted', async () => {
    assert.deepEqual(await run(['acme', 'plugin', 'set', 'cf', '--propagation', 'sleep']), { code: 0, stdout: '', stderr: '' });
    assert.match(readFileSync(plugins, 'utf8'), /dns: cf\n(\t.*\n)*\tpropagation sleep\n/);
    assert.equal(JSON.parse((await run(['acme', 'plugin', 'config', 'cf', '--output-format', 'json'])).stdout).propagation, 'sleep');
    assert.equal((await run(['acme', 'plugin', 'set', 'cf', '--delete', 'propagation'])).code, 0);
    assert.doesNotMatch(readFileSync(plugins, 'utf8'), /propagation/);
  });

  const bad: [string, string[], string][] = [
    ['an invalid plugin id', ['acme', 'plugin', 'add', 'dns', '9x', '--api', 'cf'], "id: invalid format - invalid configuration ID '9x'"],
    ['--validation-delay 999999', ['acme', 'plugin', 'add', 'dns', 'n1', '--api', 'cf', '--validation-delay', '999999'], 'validation-delay: value must have a maximum value of 172800'],
    ['a --validation-delay that is no number', ['acme', 'plugin', 'add', 'dns', 'n1', '--api', 'cf', '--validation-delay', '5s'], "validation-delay: type check ('integer') failed - got '5s'"],
    ['a missing --data file', ['acme', 'plugin', 'add', 'dns', 'n1', '--api', 'cf', '--data', '/nonexistent/x'], "data: unable to read file '/nonexistent/x' - No such file or directory"],
    ['a --data file that is not KEY=VALUE', ['acme', 'plugin', 'add', 'dns', 'n1', '--api', 'cf', '--data', '@BAD@'], "data: line 2 of '@BAD@' is not a KEY=VALUE line (KEY: letters, digits, '_')"],
    ['a dns plugin without --api', ['acme', 'plugin', 'add', 'dns', 'n1'], "api: missing value for required option 'api'"],
    ['an unknown type', ['acme', 'plugin', 'add', 'http', 'n1'], "type: value 'http' does not have a value in the enumeration 'dns, standalone'"],
    ['a duplicate id with other settings', ['acme', 'plugin', 'add', 'dns', 'cf', '--api', 'other'], "id: ACME plugin ID 'cf' already exists with other settings - change it with certnode acme plugin set cf"],
    ['a standalone option on a dns plugin', ['acme', 'plugin', 'set', 'cf', '--port', '80'], "port: unexpected property 'port'"],
    ['a dns option on a standalone plugin', ['acme', 'plugin', 'set', 'standalone', '--api', 'cf'], "api: unexpected property 'api'"],
    ['an unknown --propagation mode', ['acme', 'plugin', 'set', 'cf', '--propagation', 'never'], "propagation: value 'never' does not have a value in the enumeration 'check, sleep'"],
    ['--propagation on a standalone plugin', ['acme', 'plugin', 'set', 'standalone', '--propagation', 'sleep'], "propagation: unexpected property 'propagation'"],
    ['a bad port', ['acme', 'plugin', 'set', 'standalone', '--port', '70000'], 'port: value must have a maximum value of 65535'],
    ['a bad address', ['acme', 'plugin', 'set', 'standalone', '--address', 'example.com'], "address: invalid format - value 'example.com' is not a valid IP address"],
    ['deleting a required option', ['acme', 'plugin', 'set', 'cf', '--delete', 'api'], "delete: unable to delete required option 'api'"],
    ['an unknown plugin', ['acme', 'plugin', 'set', 'nope', '--disable'], "id: ACME plugin ID 'nope' does not exist"],
    ['a boolean that is no boolean', ['acme', 'plugin', 'set', 'cf', '--disable=perhaps'], "disable: unable to parse boolean option 'perhaps'"],
  ];
  for (const [what, args, message] of bad) {
    test(`bad input, one clear line, nothing written: ${what}`, async () => {
      writeFileSync(join(dir, '@BAD@'), 'A=1\nthis line is wrong\n');
      const before = snapshot(cfgDir);
      const r = await run(args.map((a) => (a === '@BAD@' ? join(dir, '@BAD@') : a)));
      assert.equal(r.code, 255);
      assert.equal(r.stdout, '');
      const lines = r.stderr.split('\n');
      assert.equal(lines[0], `ERROR: ${message.replace('@BAD@', join(dir, '@BAD@'))}`);
      assert.match(lines[1]!, /^USAGE: certnode acme plugin (add <type> <id>|set <id>) \[OPTIONS\]$/);
      assert.deepEqual(snapshot(cfgDir), before);
    });
  }

  test('config of an unknown plugin; remove of an unknown id is no error (unchanged) and refuses plugins in use', async () => {
    const r = await run(['acme', 'plugin', 'config', 'nope']);
    assert.equal(r.code, 255);
    assert.equal(r.stderr, "ERROR: ACME plugin 'nope' not defined\n");
    assert.deepEqual(await run(['acme', 'plugin', 'remove', 'nope']), { code: 0, stdout: 'unchanged\n', stderr: '' });
    assert.equal((await run(['config', 'set', '--acmedomain3', 'a.example.com,plugin=cf'])).code, 0);
    const before = snapshot(cfgDir);
    const refused = await run(['acme', 'plugin', 'remove', 'cf']);
    assert.equal(refused.code, 255);
    assert.equal(refused.stderr, "ERROR: ACME plugin 'cf' is still used by node config 'acmedomain3'; change or delete those first\n");
    assert.deepEqual(snapshot(cfgDir), before);
    assert.equal((await run(['config', 'set', '--delete', 'acmedomain3'])).code, 0);
    assert.deepEqual(await run(['acme', 'plugin', 'remove', 'cf']), { code: 0, stdout: '', stderr: '' });
    assert.doesNotMatch(readFileSync(plugins, 'utf8'), /dns: cf/);
  });

  test('--data - reads the KEY=VALUE lines from stdin', async () => {
    const r = await run(['acme', 'plugin', 'add', 'dns', 'piped', '--api', 'acmedns', '--data', '-'], { stdin: 'ACMEDNS_USERNAME=u\nACMEDNS_PASSWORD=p w\n' });
    assert.equal(r.code, 0, r.stderr);
    const cfg = await run(['acme', 'plugin', 'config', 'piped', '--output-format', 'json']);
    assert.equal(JSON.parse(cfg.stdout).data, 'ACMEDNS_USERNAME=u\nACMEDNS_PASSWORD=p w\n');
  });
});

describe('acme plugin on files written by Proxmox', () => {
  for (const name of ['pve-mixed', 'pbs-example']) {
    test(`${name}: loads; set on one plugin keeps every other section and unknown property`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        mkdirSync(join(dir, 'acme'));
        writeFileSync(join(dir, 'acme', 'plugins.cfg'), fixture('plugins-cfg', `${name}.in`));
        const list = await runCli(['acme', 'plugin', 'list', '--output-format', 'json'], { configDir: dir });
        assert.equal(list.code, 0, list.stderr);
        const ids = (JSON.parse(list.stdout) as { plugin: string }[]).map((p) => p.plugin);
        const target = name === 'pve-mixed' ? 'padded' : 'ovh';
        const r = await runCli(['acme', 'plugin', 'set', target, '--validation-delay', '7'], { configDir: dir });
        assert.equal(r.code, 0, r.stderr);
        const text = readFileSync(join(dir, 'acme', 'plugins.cfg'), 'utf8');
        const input = fixture('plugins-cfg', `${name}.in`);
        // only the validation-delay of the target changed: comments, blank lines, bare disable,
        // standard base64 and the missing final newline of the others stay byte for byte
        const expected =
          name === 'pve-mixed'
            ? input.replace('\tdata VE9LRU49YSBiIGMKU0VDUkVUPXg9eX5+fj8/Cg==\n', '\tdata VE9LRU49YSBiIGMKU0VDUkVUPXg9eX5+fj8/Cg==\n\tvalidation-delay 7\n')
            : input.replace('\tdisable false\n\tvalidation-delay 30\n', '\tdisable false\n\tvalidation-delay 7\n');
        assert.notEqual(expected, input);
        assert.equal(text, expected);
        const after = await runCli(['acme', 'plugin', 'list', '--output-format', 'json'], { configDir: dir });
        assert.deepEqual((JSON.parse(after.stdout) as { plugin: string }[]).map((p) => p.plugin), ids);
        if (name === 'pve-mixed') assert.match(text, /\tfuture-option some value\n/);
      } finally {
        cleanup();
      }
    });
  }

  test('a malformed plugins.cfg line: the message names the file and line', async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'acme'));
      const file = join(dir, 'acme', 'plugins.cfg');
      writeFileSync(file, 'dns: a\n\tapi cf\n\n\tdata x\n');
      const r = await runCli(['acme', 'plugin', 'list'], { configDir: dir });
      assert.equal(r.code, 255);
      assert.equal(r.stderr, `ERROR: ${file} line 4: syntax error (expected header)\n`);
    } finally {
      cleanup();
    }
  });
});

test('plugin set/add of a standalone plugin load no DNS script code; setting a dns plugin\'s api does (control)', async (t) => {
  const { runProbed } = await import('../helpers/probe.ts');
  const { baseEnv } = await import('../helpers/cli.ts');
  const { dir, cleanup } = tempDir();
  t.after(cleanup);
  const env = { ...baseEnv(), CERTNODE_CONFIG_DIR: join(dir, 'etc') };
  const dnsCode = (sources: string[]) => sources.filter((m) => /src\/core\/challenge\/(dns-script|sandbox|dnsapi-scripts)\.ts$/.test(m));
  const set = await runProbed(['acme', 'plugin', 'set', 'standalone', '--port', '8080', '--address', '127.0.0.1'], env);
  assert.equal(set.status, 0, set.stderr);
  assert.ok(set.sources.some((m) => m.endsWith('src/commands/acme/plugin/set.ts')), 'the probe sees the command (control)');
  assert.deepEqual(dnsCode(set.sources), []);
  const add = await runProbed(['acme', 'plugin', 'add', 'standalone', 'web', '--port', '8081'], env);
  assert.equal(add.status, 0, add.stderr);
  assert.deepEqual(dnsCode(add.sources), []);
  const dns = await runProbed(['acme', 'plugin', 'add', 'dns', 'cf', '--api', 'cf'], { ...env, CERTNODE_DNSAPI_DIR: join(dir, 'none') });
  assert.equal(dns.status, 255, 'no such script here');
  assert.match(dns.stderr, /no DNS API script dns_cf\.sh found/);
  assert.ok(dnsCode(dns.sources).length > 0, 'a dns plugin loads the DNS script side (control)');
});

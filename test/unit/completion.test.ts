import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VERSION } from '../../src/cli.ts';
import { buildProgram } from '../../src/commands/index.ts';
import { generateBashCompletion } from '../../src/completion.ts';
import { ROOT, tempDir } from '../helpers/cli.ts';

const FILE = join(ROOT, 'share', 'completion', 'certnode.bash');

test('share/completion/certnode.bash is generated from the current command tree (run `npm run man`)', () => {
  assert.equal(readFileSync(FILE, 'utf8'), generateBashCompletion(buildProgram(VERSION, () => {})));
});

/** What bash completes for the words typed so far (the last one is being completed). */
function complete(...words: string[]): string[] {
  const script = `source ${FILE}; cd ${ROOT}; COMP_WORDS=(certnode ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _certnode; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash completion: subcommands, options, option values, file arguments', () => {
  assert.deepEqual(complete(''), ['acme', 'cert', 'config']);
  assert.deepEqual(complete('acme', 'pl'), ['plugin']);
  assert.deepEqual(complete('acme', 'plugin', 'a'), ['add', 'apis']);
  assert.deepEqual(complete('acme', 'cert', 'order', '--f'), ['--force']);
  assert.deepEqual(complete('--output-format', 'json', 'acme', 'cert', 'r'), ['renew', 'revoke']);
  assert.deepEqual(complete('acme', 'plugin', 'list', '--type', ''), ['dns', 'standalone']);
  assert.deepEqual(complete('config', 'set', '--acmedomain'), ['--acmedomain0']);
  assert.ok(complete('cert', 'set', 'package.j').includes('package.json'));
  assert.ok(complete('acme', 'plugin', 'add', 'dns', 'x', '--data', 'package.j').includes('package.json'));
});

/** Like complete(), with an environment, and reporting the compopt options the function asked for. */
function completeIn(env: Record<string, string>, ...words: string[]): { words: string[]; compopt: string } {
  const script = `exec 3>&2; compopt() { printf '%s\\n' "$*" >&3; }; source ${FILE}; cd ${ROOT}; COMP_WORDS=(certnode ${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length}; _certnode; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...env } });
  assert.equal(r.status, 0, r.stderr);
  return { words: r.stdout.split('\n').filter(Boolean).sort(), compopt: r.stderr.trim() };
}

test('bash completion reads the config dir: plugin ids, account names, node keys; APIs from the script dirs', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'acme', 'accounts'), { recursive: true });
    writeFileSync(join(dir, 'acme', 'plugins.cfg'), 'dns: cloudflare\n\tapi cf\n\nstandalone: standalone\n\ndns: ovh-eu\n\tapi ovh\n');
    for (const name of ['default', 'staging', '_deactivated_old_0', 'default.lock']) writeFileSync(join(dir, 'acme', 'accounts', name), '{}');
    writeFileSync(join(dir, 'node.cfg'), '# my node\nacme: domains=example.com\nacmedomain3: www.example.com\nreload-command: true\n');
    const env = { CERTNODE_CONFIG_DIR: dir };
    assert.deepEqual(completeIn(env, 'acme', 'plugin', 'set', '').words, ['cloudflare', 'ovh-eu', 'standalone']);
    assert.deepEqual(completeIn(env, 'acme', 'plugin', 'config', 'c').words, ['cloudflare']);
    assert.deepEqual(completeIn(env, 'acme', 'plugin', 'remove', '').words, ['cloudflare', 'ovh-eu', 'standalone']);
    assert.deepEqual(completeIn(env, 'acme', 'account', 'info', '').words, ['default', 'staging']);
    assert.deepEqual(completeIn(env, 'acme', 'account', 'deactivate', 's').words, ['staging']);
    // --config-dir on the command line wins over the environment
    assert.deepEqual(completeIn({ CERTNODE_CONFIG_DIR: '/nonexistent' }, 'acme', 'account', 'update', '').words, []);
    assert.deepEqual(completeIn({ CERTNODE_CONFIG_DIR: '/nonexistent' }, '--config-dir', dir, 'acme', 'acc', 'upd', '').words, ['default', 'staging'], 'abbreviated commands');
    assert.deepEqual(completeIn({ CERTNODE_CONFIG_DIR: '/nonexistent' }, '--config-dir', dir, 'acme', 'account', 'update', '').words, ['default', 'staging']);
    assert.deepEqual(completeIn({}, '-config-dir', dir, 'acme', 'account', 'info', 'd').words, ['default']);
    assert.deepEqual(completeIn(env, 'config', 'set', '--delete', '').words, ['acme', 'acmedomain3', 'description', 'reload-command']);
    assert.deepEqual(completeIn(env, 'config', 'get', '--property', 'r').words, ['reload-command']);
    // APIs: the dns_<api>.sh scripts found where certnode looks
    const apis = completeIn({ ...env, CERTNODE_DNSAPI_DIR: join(ROOT, 'test', 'fixtures', 'dnsapi') }, 'acme', 'plugin', 'add', 'dns', 'x', '--api', 'c');
    assert.deepEqual(apis.words, ['certnodebroken', 'certnodefail', 'certnodehang', 'certnodehostile', 'certnodensupdate', 'certnoderrset', 'certnodeseq', 'certnodestash', 'certnodestate', 'certnodetest', 'certnodezonefile', 'cf', 'cliwrap']);
    assert.ok(completeIn({ ...env, CERTNODE_DNSAPI_DIR: join(ROOT, 'test', 'fixtures', 'dnsapi') }, 'acme', 'plugin', 'apis', 'plain').words.includes('plainopts'));
  } finally {
    cleanup();
  }
});

test('bash completion finds the files of a cluster tree and of the pve layout (the node: --node, CERTNODE_NODE)', () => {
  const { dir, cleanup } = tempDir();
  try {
    mkdirSync(join(dir, 'priv', 'acme'), { recursive: true });
    mkdirSync(join(dir, 'nodes', 'pve1'), { recursive: true });
    mkdirSync(join(dir, 'nodes', 'pve2'), { recursive: true });
    writeFileSync(join(dir, 'priv', 'acme', 'plugins.cfg'), 'dns: cloudflare\n\tapi cf\n\n');
    writeFileSync(join(dir, 'priv', 'acme', 'certnode-plugins.cfg'), 'dns: cloudflare\n\tpropagation sleep\n\n');
    writeFileSync(join(dir, 'priv', 'acme', 'default'), '{}');
    writeFileSync(join(dir, 'nodes', 'pve1', 'config'), 'acme: domains=a.example.com\n');
    writeFileSync(join(dir, 'nodes', 'pve1', 'certnode.cfg'), 'reload-command: true\n');
    writeFileSync(join(dir, 'nodes', 'pve2', 'config'), 'acmedomain0: b.example.com\n');
    const env = { CERTNODE_CONFIG_DIR: dir, CERTNODE_NODE: 'pve1' };
    assert.deepEqual(completeIn(env, 'acme', 'plugin', 'set', '').words, ['cloudflare', 'standalone']);
    assert.deepEqual(completeIn(env, 'acme', 'account', 'info', '').words, ['default']);
    assert.deepEqual(completeIn(env, 'config', 'set', '--delete', '').words, ['acme', 'reload-command']);
    assert.deepEqual(completeIn(env, '--node', 'pve2', 'config', 'set', '--delete', '').words, ['acmedomain0']);
  } finally {
    cleanup();
  }
});

test('bash completion: plugin types, plugin property keys, --directory ids; paths the way bash does them', () => {
  assert.deepEqual(completeIn({}, 'acme', 'plugin', 'add', '').words, ['dns', 'standalone']);
  assert.deepEqual(completeIn({}, 'acme', 'plugin', 'add', 'dns', '').words, [], 'the id of a new plugin is free text');
  assert.deepEqual(completeIn({}, 'acme', 'plugin', 'set', 'x', '--delete', 'v').words, ['validation-delay']);
  assert.deepEqual(completeIn({}, 'acme', 'account', 'register', 'a', 'b', '--directory', 'lets').words, ['letsencrypt', 'letsencrypt-staging']);
  // a directory: bash's own filename handling (a '/' after directories, quoting) is switched on
  const dirs = completeIn({}, 'config', 'set', '--dnsapi-dir', 'sr');
  assert.deepEqual(dirs.words, ['src']);
  assert.equal(dirs.compopt, '-o filenames');
  const files = completeIn({}, 'cert', 'set', 'READ');
  assert.deepEqual(files.words, ['README.md']);
  assert.equal(files.compopt, '-o filenames');
  assert.equal(completeIn({}, 'acme', 'plugin', 'add', '').compopt, '', 'words are not file names');
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VERSION } from '../../src/cli.ts';
import { buildProgram } from '../../src/commands/index.ts';
import { generateBashCompletion } from '../../src/completion.ts';
import { ROOT } from '../helpers/cli.ts';

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

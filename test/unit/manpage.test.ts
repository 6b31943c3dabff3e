import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { VERSION } from '../../src/cli.ts';
import { buildProgram } from '../../src/commands/index.ts';
import { generateManPage } from '../../src/manpage.ts';
import { ROOT } from '../helpers/cli.ts';

test('man/certnode.1 is generated from the current command tree (run `npm run man` after changing commands)', () => {
  const expected = generateManPage(buildProgram(VERSION, () => {}), VERSION);
  assert.equal(readFileSync(join(ROOT, 'man', 'certnode.1'), 'utf8'), expected);
  assert.match(expected, /\n\.SS certnode acme plugin add <type> <id> \[OPTIONS\]\n/);
});

test('the man page has the usual sections, in order, and groff finds nothing to warn about', () => {
  const page = readFileSync(join(ROOT, 'man', 'certnode.1'), 'utf8');
  const sections = [...page.matchAll(/^\.SH (.*)$/gm)].map((m) => m[1]);
  assert.deepEqual(sections, ['NAME', 'SYNOPSIS', 'DESCRIPTION', 'COMMANDS', 'OPTIONS', 'OUTPUT', 'AUTOMATIC RENEWAL', 'FILES', 'LAYOUTS AND CLUSTERS', 'LIMITS', 'DNS VALIDATION METHODS', 'DNS SCRIPTS', 'ENVIRONMENT', 'EXIT STATUS', 'EXAMPLES', 'SEE ALSO']);
  const groff = spawnSync('groff', ['-ww', '-z', '-man', join(ROOT, 'man', 'certnode.1')], { encoding: 'utf8' });
  assert.equal(groff.status, 0, groff.stderr);
  assert.equal(groff.stderr, '');
  // every option of every command is documented with its default
  for (const m of page.matchAll(/^\.B (\\-\\-[^\n]*)\n([^\n]*)$/gm)) {
    const [, flags, text] = m;
    if (/\\-\\-(help|version)/.test(flags!)) continue;
    assert.match(text!, /default|required for them|slots/i, `${flags}: no default stated`);
  }
});

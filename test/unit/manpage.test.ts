import assert from 'node:assert/strict';
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

// The exit-status table is written once (src/core/exit-status.ts); README and man page show it as is.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_RELOAD_FAILED, EXIT_STATUS_TABLE } from '../../src/core/exit-status.ts';
import { ROOT } from '../helpers/cli.ts';

test('the README table is the exit-status table', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const rows = EXIT_STATUS_TABLE.map((r) => `| ${r.status} | ${r.meaning} |`).join('\n');
  assert.ok(readme.includes(`| status | meaning |\n|---|---|\n${rows}\n`), 'README.md: the table under "Errors and exit status" is stale');
});

test('the man page lists every status', () => {
  const man = readFileSync(join(ROOT, 'man', 'certnode.1'), 'utf8');
  const section = man.split('.SH EXIT STATUS\n')[1]?.split('\n.SH ')[0] ?? '';
  assert.deepEqual([...section.matchAll(/^\.B (.*)$/gm)].map((m) => m[1]), ['0', '3', '255', '128+N']);
});

test('the statuses the CLI uses are in the table', () => {
  assert.deepEqual([EXIT_OK, EXIT_RELOAD_FAILED, EXIT_FAILURE, EXIT_INTERRUPTED], [0, 3, 255, 130]);
  assert.deepEqual(EXIT_STATUS_TABLE.map((r) => r.status), ['0', '3', '255', '128+N']);
  assert.match(EXIT_STATUS_TABLE[3]!.meaning, /130 for Ctrl-C/);
});

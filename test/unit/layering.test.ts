// The layering rule of ARCHITECTURE.md: core never imports from the command layer.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/cli.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    return statSync(file).isDirectory() ? sources(file) : name.endsWith('.ts') ? [file] : [];
  });
}

test('nothing under src/core imports from src/commands', () => {
  const offenders = sources(join(ROOT, 'src', 'core')).filter((file) =>
    /^\s*(import|export)\b[^;]*from\s+'[^']*\/commands\//m.test(readFileSync(file, 'utf8')),
  );
  assert.deepEqual(offenders.map((f) => relative(ROOT, f)), []);
});

#!/usr/bin/env node
// Runs the test suite: installs what the tests need (as root, through apt), then node's test runner
// over the compiled tests. `node scripts/run-tests.mjs [unit|cli|e2e ...]` runs only those tiers.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePackages } from './lib/prereqs.mjs';

const root = new URL('..', import.meta.url).pathname;
const tiers = process.argv.slice(2);
const all = ['unit', 'cli', 'e2e'];
const selected = tiers.length ? tiers : all;

/** Debian packages the tests need, by the command that shows they are there. */
const REQUIRED = [
  { command: 'pebble', pkg: 'pebble', tiers: ['e2e'] },
  { command: 'pebble-challtestsrv', pkg: 'pebble', tiers: ['e2e'] },
  { command: 'script', pkg: 'bsdutils', tiers: ['cli', 'e2e'] },
  { command: 'openssl', pkg: 'openssl', tiers: ['e2e', 'unit', 'cli'] },
  // the dnsapi shim is tested under dash and bash, its HTTP helpers with curl and wget,
  // and the runner drops to nobody with setpriv
  { command: 'dash', pkg: 'dash', tiers: ['unit'] },
  { command: 'curl', pkg: 'curl', tiers: ['unit', 'e2e'] },
  { command: 'wget', pkg: 'wget', tiers: ['unit'] },
  { command: 'setpriv', pkg: 'util-linux', tiers: ['unit', 'e2e'] },
  // the RFC 2136 dns-01 test runs its own BIND and updates it with nsupdate
  { command: 'named', pkg: 'bind9', tiers: ['e2e'] },
  { command: 'nsupdate', pkg: 'bind9-dnsutils', tiers: ['e2e'] },
  // crash tests SIGKILL certnode at a chosen system call (strace -e inject=...:signal=SIGKILL)
  { command: 'strace', pkg: 'strace', tiers: ['cli', 'e2e'] },
];

const needed = REQUIRED.filter((r) => r.tiers.some((t) => selected.includes(t)));
const prereqs = ensurePackages(needed, { purpose: 'test prerequisites' });
if (!prereqs.ok) {
  console.error(prereqs.message);
  process.exit(1);
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const file = join(dir, name);
    if (statSync(file).isDirectory()) return testFiles(file);
    return name.endsWith('.test.js') ? [file] : [];
  });
}

const files = selected.flatMap((tier) => testFiles(join(root, 'dist', 'test', tier))).sort();
if (files.length === 0) {
  console.error(`no test files found for: ${selected.join(', ')} (did the build run?)`);
  process.exit(1);
}
// Tests spawn the CLI and servers; two files at a time suits the 2-core machines.
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=2', ...files], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);

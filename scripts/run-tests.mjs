#!/usr/bin/env node
// Runs the test suite: installs what the tests need (as root, through apt), then node's test runner
// over the compiled tests. `node scripts/run-tests.mjs [unit|cli|e2e ...]` runs only those tiers.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePebble } from './lib/pebble-install.mjs';
import { ensurePackages } from './lib/prereqs.mjs';

const root = new URL('..', import.meta.url).pathname;
const tiers = process.argv.slice(2);
const all = ['unit', 'cli', 'e2e'];
const selected = tiers.length ? tiers : all;

/** Debian packages the tests need, by the command that shows they are there. */
const REQUIRED = [
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
  // read-modify-write DNS scripts: a real PowerDNS Authoritative (sqlite backend, HTTP API);
  // the zone-file one reloads BIND through rndc (part of bind9)
  { command: 'pdns_server', pkg: 'pdns-server', tiers: ['e2e'] },
  { command: 'pdnsutil', pkg: 'pdns-server', tiers: ['e2e'] },
  { command: 'sqlite3', pkg: 'sqlite3', tiers: ['e2e'] },
  { command: 'rndc', pkg: 'bind9', tiers: ['e2e'] },
  { file: '/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql', pkg: 'pdns-backend-sqlite3', tiers: ['e2e'] },
  // hostile-script tests: pgrep inside the sandbox, `script` for terminals
  { command: 'pgrep', pkg: 'procps', tiers: ['unit'] },
  // the man page is checked with groff for warnings, and rendered by man from an npm -g install
  { command: 'groff', pkg: 'groff-base', tiers: ['unit', 'e2e'] },
  { command: 'man', pkg: 'man-db', tiers: ['e2e'] },
  // unattended reporting: the metrics file scraped by a real node_exporter; notification mail
  // through msmtp (as sendmail) into a real SMTP server (aiosmtpd under Debian's python3)
  { command: 'prometheus-node-exporter', pkg: 'prometheus-node-exporter', tiers: ['e2e'] },
  { command: 'msmtp', pkg: 'msmtp', tiers: ['e2e'] },
  { file: '/usr/lib/python3/dist-packages/aiosmtpd/__init__.py', pkg: 'python3-aiosmtpd', tiers: ['e2e'] },
  // crash tests SIGKILL certnode at a chosen system call (strace -e inject=...:signal=SIGKILL)
  { command: 'strace', pkg: 'strace', tiers: ['cli', 'e2e'] },
  // makes a child's stdout non-blocking before exec (test/cli/output-fd.test.ts)
  { command: 'perl', pkg: 'perl-base', tiers: ['cli'] },
  // cluster tests: nodes in their own UTS namespaces (unshare -u, util-linux) on one tree, also on a
  // real GlusterFS volume mounted twice through FUSE; Gluster runs in its own network namespace
  // (test/helpers/gluster.ts), set up with ip
  { command: 'unshare', pkg: 'util-linux', tiers: ['cli', 'e2e'] },
  { command: 'nsenter', pkg: 'util-linux', tiers: ['cli', 'e2e'] },
  { command: 'glusterd', pkg: 'glusterfs-server', tiers: ['cli', 'e2e'] },
  { command: 'gluster', pkg: 'glusterfs-server', tiers: ['cli', 'e2e'] },
  { command: 'mount.glusterfs', pkg: 'glusterfs-client', tiers: ['cli', 'e2e'] },
  { command: 'ip', pkg: 'iproute2', tiers: ['cli', 'e2e'] },
];

const needed = REQUIRED.filter((r) => r.tiers.some((t) => selected.includes(t)));
const prereqs = ensurePackages(needed, { purpose: 'test prerequisites' });
if (!prereqs.ok) {
  console.error(prereqs.message);
  process.exit(1);
}
// Pebble >= 2.10 (ARI, profiles, keyChange, Retry-After, tls-alpn-01): Debian's forky/sid package,
// fetched through apt with a private configuration and unpacked (scripts/lib/pebble-install.mjs)
if (selected.includes('e2e')) {
  const pebble = ensurePebble();
  if (!pebble.ok) {
    console.error(pebble.message);
    process.exit(1);
  }
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

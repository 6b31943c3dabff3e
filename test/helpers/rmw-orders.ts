// Shared by the read-modify-write dns-01 tests (PowerDNS API, BIND zone file): a config dir whose
// apex + wildcard names validate through one dns plugin, ordered again and again; after each
// order the name must serve exactly the values that were there before (nothing left, nothing lost).

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DnsScriptChallenge } from '../../src/core/challenge/dns-script.ts';
import { DNSAPI_FIXTURES, runCli, tempDir, type RunResult } from './cli.ts';
import type { Pebble } from './pebble.ts';

export interface RmwSetup {
  pebble: Pebble;
  /** "ip:port" of the authoritative server (the propagation check asks it). */
  dnsAddr: string;
  zone: string;
  api: string;
  data: string;
  txt(name: string): Promise<string[]>;
}

export async function rmwNode(s: RmwSetup): Promise<{ run(args: string[]): Promise<RunResult>; cleanup(): void }> {
  const { dir, cleanup } = tempDir();
  const env = { ...s.pebble.env, CERTNODE_DNS_RESOLVERS: s.dnsAddr };
  const run = (args: string[]) => runCli(args, { configDir: dir, env, timeoutMs: 90_000 });
  const ok = async (args: string[]) => {
    const r = await run(args);
    assert.equal(r.code, 0, `certnode ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  };
  const data = join(dir, 'plugin.data');
  writeFileSync(data, s.data);
  await ok(['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', s.pebble.directoryUrl, '--agree-tos']);
  await ok(['acme', 'plugin', 'add', 'dns', 'rmw', '--api', s.api, '--data', data, '--validation-delay', '20']);
  await ok(['config', 'set', '--acmedomain0', `domain=${s.zone},plugin=rmw`, '--acmedomain1', `domain=*.${s.zone},plugin=rmw`]);
  return { run, cleanup };
}

/** `count` orders in a row: each must succeed and leave the challenge name as it found it. */
export async function orderRepeatedly(s: RmwSetup, count: number): Promise<void> {
  const n = await rmwNode(s);
  try {
    const name = `_acme-challenge.${s.zone}`;
    const before = await s.txt(name);
    for (let i = 1; i <= count; i++) {
      const r = await n.run(['acme', 'cert', 'order', '--force']);
      assert.equal(r.code, 0, `order ${i} of ${count}:\n${r.stdout}\n${r.stderr}`);
      assert.match(r.stdout, /\nTask OK\n$/);
      assert.deepEqual(await s.txt(name), before, `order ${i}: the TXT values afterwards\n${r.stdout}\n${r.stderr}`);
    }
  } finally {
    n.cleanup();
  }
}

/**
 * The control: two calls of the script at the same time (as certnode made them before it ran
 * one call at a time) lose a value — so the orders above would fail if calls overlapped.
 */
export async function overlappingCallsLoseAValue(s: RmwSetup, slowData: string): Promise<void> {
  const name = `race.${s.zone}`;
  const mk = (value: string) =>
    new DnsScriptChallenge({ pluginId: 'rmw', api: s.api, scriptPath: join(DNSAPI_FIXTURES, `dns_${s.api}.sh`), data: slowData, domain: name, txtValue: value, sandbox: { asRoot: process.getuid?.() === 0, tmpRoot: '/tmp' } });
  const [a, b] = [mk('value-one'), mk('value-two')];
  try {
    const calls = await Promise.allSettled([a.setup(), b.setup()]);
    const failed = calls.filter((c) => c.status === 'rejected').length;
    const values = await waitForStable(() => s.txt(`_acme-challenge.${name}`));
    // either a value is lost, or the server refuses one of two writes racing each other
    assert.ok(values.length < 2 || failed > 0, `overlapping read-modify-write calls kept both values: ${values.join(', ')}`);
  } finally {
    await a.teardown().catch(() => undefined);
    await b.teardown().catch(() => undefined);
  }
}

async function waitForStable(read: () => Promise<string[]>): Promise<string[]> {
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((r) => setTimeout(r, 150));
    const next = await read();
    if (next.join() === last.join()) return next;
    last = next;
  }
  return last;
}

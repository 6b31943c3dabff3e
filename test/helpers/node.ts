// A certnode "node" for e2e tests: its own config dir with an account registered at a Pebble, the
// standalone http-01 plugin on Pebble's validation port, DNS plugins and domains as asked — the
// first steps a user takes, each required to exit 0.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, type RunOptions, type RunResult } from './cli.ts';
import type { Pebble } from './pebble.ts';

export interface TestNode {
  dir: string;
  /** The environment every run gets (Pebble's trust, resolvers, the options' env). */
  env: Record<string, string>;
  certFile: string;
  keyFile: string;
  accountFile: string;
  run(args: string[], extraEnv?: Record<string, string>): Promise<RunResult>;
  /** run() with any runCli option (pipe, umask, tty, …); `env` adds to the node's. */
  runWith(args: string[], opts: RunOptions): Promise<RunResult>;
  /** run() that must exit 0. */
  ok(args: string[], extraEnv?: Record<string, string>): Promise<RunResult>;
}

export interface DnsPluginSpec {
  id: string;
  api: string;
  /** The --data file's content. */
  data: string;
  /** More `plugin add` options (after `--validation-delay 10`). */
  extra?: string[];
}

export interface TestNodeOptions {
  /** Removes the node's dir; the caller runs it after its tests. */
  cleanups: (() => void)[];
  /** The CA to register at (default: the Pebble's directory). */
  directoryUrl?: string;
  /** More `account register` options (e.g. `--key-type rsa-2048`). */
  registerArgs?: string[];
  /** Configure the standalone plugin on Pebble's http-01 port (default true). */
  standalone?: boolean;
  plugins?: DnsPluginSpec[];
  /** `config set --acme <value>` when given. */
  acme?: string;
  /** Added to every run's environment (default adds CERTNODE_DNS_RESOLVERS = challtestsrv). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

export async function testNode(pebble: Pebble, opts: TestNodeOptions): Promise<TestNode> {
  const { dir, cleanup } = tempDir();
  opts.cleanups.push(cleanup);
  const env = { ...pebble.env, CERTNODE_DNS_RESOLVERS: pebble.challtestsrv.dnsAddr, ...opts.env };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const runWith = (args: string[], runOpts: RunOptions) => runCli(args, { configDir: dir, timeoutMs, ...runOpts, env: { ...env, ...runOpts.env } });
  const run = (args: string[], extraEnv: Record<string, string> = {}) => runWith(args, { env: extraEnv });
  const ok = async (args: string[], extraEnv: Record<string, string> = {}) => {
    const r = await run(args, extraEnv);
    assert.equal(r.code, 0, `certnode ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  await ok(['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', opts.directoryUrl ?? pebble.directoryUrl, '--agree-tos', ...(opts.registerArgs ?? [])]);
  if (opts.standalone ?? true) await ok(['acme', 'plugin', 'set', 'standalone', '--port', String(pebble.httpPort), '--address', '127.0.0.1']);
  for (const p of opts.plugins ?? []) {
    const file = join(dir, `${p.id}.data`);
    writeFileSync(file, p.data);
    await ok(['acme', 'plugin', 'add', 'dns', p.id, '--api', p.api, '--data', file, '--validation-delay', '10', ...(p.extra ?? [])]);
  }
  if (opts.acme !== undefined) await ok(['config', 'set', '--acme', opts.acme]);
  return {
    dir,
    env,
    certFile: join(dir, 'certs', 'certnode.pem'),
    keyFile: join(dir, 'certs', 'certnode.key'),
    accountFile: join(dir, 'acme', 'accounts', 'default'),
    run,
    runWith,
    ok,
  };
}

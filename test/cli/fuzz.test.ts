// Fuzz: generated bad inputs (mutated plugins.cfg, node.cfg, account files, PEM files, --data
// files, option values) through the built binary. For every one: no stack trace or internal
// error, an answer within the bound, exit 0 or 255, an error of one line (plus the usage line),
// and no file changed by a failed command. Seeded: CERTNODE_FUZZ_SEED=<n> replays a run.

import assert from 'node:assert/strict';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { opensslCert } from '../helpers/certs.ts';
import { DNSAPI_FIXTURES, runCli, snapshot, tempDir } from '../helpers/cli.ts';

const CASES = 330;
const SEED = Number(process.env.CERTNODE_FUZZ_SEED ?? 9);
const PARALLEL = 2;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Case {
  name: string;
  /** Files to write into the case's config dir (relative path -> content) before the command. */
  files?: Record<string, string | Buffer>;
  /** Files to write outside it (the command's arguments name them). */
  inputs?: Record<string, string | Buffer>;
  args: (inputs: Record<string, string>) => string[];
}

test(`fuzz: ${CASES} generated inputs (seed ${SEED})`, async (t) => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  const template = join(dir, 'template');
  const a = opensslCert(dir, 'a');
  for (const args of [
    ['cert', 'set', a.certFile, a.keyFile],
    ['acme', 'plugin', 'add', 'dns', 'cf', '--api', 'cf', '--data', a.keyFile.replace(/a\.key$/, 'ok.data')],
    ['config', 'set', '--acme', 'domains=a.example.com', '--acmedomain0', 'b.example.com,plugin=cf'],
  ]) {
    if (args.includes('--data')) writeFileSync(args.at(-1)!, 'CF_Token=abc\n');
    const r = await runCli(args, { configDir: template });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  mkdirSync(join(template, 'acme', 'accounts'), { recursive: true, mode: 0o700 });
  const account = JSON.stringify({ account: { status: 'valid', contact: ['mailto:a@example.com'] }, directory: 'https://ca.example/dir', key: a.key, location: 'https://ca.example/acct/1' });
  writeFileSync(join(template, 'acme', 'accounts', 'fz'), account, { mode: 0o600 });
  const pluginsCfg = 'standalone: standalone\n\ndns: cf\n\tapi cf\n\tdata Q0ZfVG9rZW49YWJjCg\n\n';
  const nodeCfg = '#a node\nacme: domains=a.example.com\nacmedomain0: b.example.com,plugin=cf\n';

  const random = prng(SEED);
  const int = (n: number): number => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const nasty = ['\u0000', '\r', '\n', '\t', '\u001b', '\u007f', ' ', ':', ';', ',', '=', '#', '%', '"', "'", '\\', '[', '{', '-----BEGIN', '\u00e9', '\u{1F600}', '\ufeff', '*', '.', '..', '/'];
  const randomString = (max: number): string => Array.from({ length: int(max) }, () => (random() < 0.6 ? String.fromCharCode(32 + int(95)) : pick(nasty))).join('');
  /** Mutate a valid text: insert, delete, duplicate, truncate, or blow up a piece of it. */
  const mutate = (text: string): string => {
    let s = text;
    for (let i = 0, n = 1 + int(4); i < n; i++) {
      const at = int(s.length + 1);
      switch (int(7)) {
        case 0: s = s.slice(0, at) + randomString(12) + s.slice(at); break;
        case 1: s = s.slice(0, at) + s.slice(at + 1 + int(20)); break;
        case 2: s = s.slice(0, at); break;
        case 3: s = s.slice(0, at) + s.slice(at, at + 40).repeat(2 + int(5)) + s.slice(at); break;
        case 4: s = s.slice(0, at) + pick(nasty) + s.slice(at); break;
        case 5: s = s.slice(0, at) + 'x'.repeat(int(3) === 0 ? 2_000_000 : 5000) + s.slice(at); break;
        default: s = s.split('\n').reverse().join('\n');
      }
    }
    return s;
  };
  const deepJson = (): string => { const n = 20_000 + int(20_000); return '['.repeat(n) + ']'.repeat(int(3) ? n : 0); };

  const generators: (() => Case)[] = [
    () => ({ name: 'plugins.cfg mutated, plugin list', files: { 'acme/plugins.cfg': mutate(pluginsCfg) }, args: () => ['acme', 'plugin', 'list'] }),
    () => ({ name: 'plugins.cfg mutated, plugin add', files: { 'acme/plugins.cfg': mutate(pluginsCfg) }, args: () => ['acme', 'plugin', 'add', 'standalone', 'web', '--port', '81'] }),
    () => ({ name: 'node.cfg mutated, config get', files: { 'node.cfg': mutate(nodeCfg) }, args: () => ['config', 'get'] }),
    () => ({ name: 'node.cfg mutated, config set', files: { 'node.cfg': mutate(nodeCfg) }, args: () => ['config', 'set', '--description', 'x'] }),
    () => ({ name: 'node.cfg mutated, cert info', files: { 'node.cfg': mutate(nodeCfg) }, args: () => ['cert', 'info'] }),
    () => ({ name: 'account file mutated', files: { 'acme/accounts/fz': mutate(account) }, args: () => ['acme', 'account', 'info', 'fz'] }),
    () => ({ name: 'account file deeply nested', files: { 'acme/accounts/fz': deepJson() }, args: () => ['acme', 'account', 'info', 'fz'] }),
    () => ({ name: 'account object deeply nested', files: { 'acme/accounts/fz': account.replace('"status":"valid"', `"x":${deepJson()}`) }, args: () => ['acme', 'account', 'info', 'fz'] }),
    () => ({ name: 'installed chain mutated, cert info', files: { 'certs/certnode.pem': mutate(a.cert) }, args: () => ['cert', 'info'] }),
    () => ({ name: 'cert set with a mutated chain', inputs: { chain: mutate(a.cert) }, args: (i) => ['cert', 'set', i.chain!, a.keyFile, '--force'] }),
    () => ({ name: 'cert set with a mutated key', inputs: { key: mutate(a.key) }, args: (i) => ['cert', 'set', a.certFile, i.key!, '--force'] }),
    () => ({ name: '--data file of random text', inputs: { data: `CF_Token=${randomString(40)}\n${random() < 0.5 ? randomString(30) : ''}` }, args: (i) => ['acme', 'plugin', 'set', 'cf', '--data', i.data!] }),
    () => ({ name: '--data file mutated', inputs: { data: mutate('CF_Token=abc\nCF_Account_ID=12\n') }, args: (i) => ['acme', 'plugin', 'add', 'dns', 'fd', '--api', 'cf', '--data', i.data!] }),
    () => ({ name: '--port value', args: () => ['acme', 'plugin', 'set', 'standalone', '--port', randomString(8)] }),
    () => ({ name: '--address value', args: () => ['acme', 'plugin', 'set', 'standalone', '--address', pick(['1.2.3.4', '::1', 'fe80::1']) + randomString(4)] }),
    () => ({ name: '--validation-delay value', args: () => ['acme', 'plugin', 'set', 'cf', '--validation-delay', randomString(8)] }),
    () => ({ name: 'plugin id', args: () => ['acme', 'plugin', 'add', 'standalone', randomString(int(2) ? 40 : 100_000) || 'x'] }),
    () => ({ name: 'domains list', args: () => ['config', 'set', '--acme', `domains=${mutate('a.example.com;www.example.com')}`] }),
    () => ({ name: 'acmedomain value', args: () => ['config', 'set', `--acmedomain${int(3)}`, mutate('c.example.com,plugin=cf')] }),
    () => ({ name: 'account name', args: () => ['acme', 'account', 'info', randomString(40) || 'x'] }),
    () => ({ name: '--nodes value', args: () => ['acme', 'plugin', 'set', 'cf', '--nodes', randomString(20) || ','] }),
  ];

  const cases = Array.from({ length: CASES }, (_, i) => ({ i, c: generators[i % generators.length]!() }));
  const failures: string[] = [];
  let codes = { ok: 0, error: 0 };
  const runCase = async ({ i, c }: { i: number; c: Case }): Promise<void> => {
    const cfg = join(dir, `case-${i}`);
    cpSync(template, cfg, { recursive: true });
    for (const [rel, content] of Object.entries(c.files ?? {})) writeFileSync(join(cfg, rel), content);
    const inputs: Record<string, string> = {};
    for (const [key, content] of Object.entries(c.inputs ?? {})) {
      inputs[key] = join(dir, `input-${i}-${key}`);
      writeFileSync(inputs[key]!, content);
    }
    const before = snapshot(cfg);
    // argv cannot carry NUL bytes (the files can), nor one argument over 128 KiB
    const args = c.args(inputs).map((x) => x.replace(/\u0000/g, '@').slice(0, 100_000));
    const r = await runCli(args, { configDir: cfg, timeoutMs: 60_000, env: { CERTNODE_DNSAPI_DIR: DNSAPI_FIXTURES } });
    const label = `case ${i} (${c.name}; seed ${SEED})`;
    const problems: string[] = [];
    if (r.code !== 0 && r.code !== 255) problems.push(`exit ${r.code}`);
    if (/internal error|\n\s+at |RangeError|TypeError|Maximum call stack/.test(r.stderr + r.stdout)) problems.push('stack trace / internal error');
    if (r.code === 255) {
      codes.error++;
      const lines = r.stderr.trimEnd().split('\n');
      if (!/^(ERROR|Task ERROR): \S/.test(lines[0] ?? '') || lines.length > 2 || (lines.length === 2 && !lines[1]!.startsWith('USAGE: '))) problems.push(`not one error line: ${JSON.stringify(r.stderr.slice(0, 300))}`);
      const now = snapshot(cfg);
      if (JSON.stringify(now) !== JSON.stringify(before)) problems.push('a failed command changed files');
    } else if (r.code === 0) codes.ok++;
    if (problems.length) failures.push(`${label}: ${problems.join('; ')}\n  args: ${JSON.stringify(args).slice(0, 300)}\n  stderr: ${JSON.stringify(r.stderr.slice(0, 300))}`);
    rmSync(cfg, { recursive: true, force: true });
  };
  for (let i = 0; i < cases.length; i += PARALLEL) await Promise.all(cases.slice(i, i + PARALLEL).map(runCase));
  t.diagnostic(`${codes.ok} succeeded, ${codes.error} failed cleanly`);
  assert.deepEqual(failures, []);
  assert.ok(codes.error > CASES / 2, 'most generated inputs are bad ones');
});

// The CLI machinery as a user meets it: help, errors, exit codes, global options, start-up cost.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { BIN, baseEnv, runCli, shellQuote, tempDir } from '../helpers/cli.ts';
import { runProbed } from '../helpers/probe.ts';

describe('cli basics', () => {
  const { dir, cleanup } = tempDir();
  after(cleanup);
  const run = (args: string[], opts: Parameters<typeof runCli>[1] = {}) => runCli(args, { configDir: dir, ...opts });

  test('--help prints the command tree and exits 0; help <cmd> works too', async () => {
    const r = await run(['--help']);
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^Usage: certnode \[options\] \[command\]\n/);
    assert.match(r.stdout, /\n  acme +ACME accounts, challenge plugins and certificates\n/);
    assert.match(r.stdout, /\n  config +node configuration \(node\.cfg\)\n/);
    const sub = await run(['help', 'acme', 'plugin']);
    assert.equal(sub.code, 0);
    assert.match(sub.stdout, /^Usage: certnode acme plugin \[options\] \[command\]/);
    const leaf = await run(['acme', 'plug', 'add', '-h']);
    assert.match(leaf.stdout, /^Usage: certnode acme plugin add \[options\] <type> <id>/);
    assert.match(leaf.stdout, /--validation-delay <seconds>/);
  });

  test('output closed early (| head -1) or unwritable (> /dev/full): exit 0, no stack trace', async () => {
    // the whole help text (more than a pipe buffer's worth with the command tree)
    const piped = await run(['--help'], { pipe: 'head -1' });
    assert.equal(piped.code, 0);
    assert.equal(piped.stdout, 'Usage: certnode [options] [command]\n');
    assert.equal(piped.stderr, '');
    const list = await run(['acme', 'plugin', 'list'], { pipe: 'head -1' });
    assert.equal(list.code, 0);
    assert.equal(list.stderr, '');
    const fullRun = spawnSync('/bin/sh', ['-c', `exec ${shellQuote(process.execPath)} ${shellQuote(BIN)} --help > /dev/full`], { env: baseEnv({ CERTNODE_CONFIG_DIR: dir }), encoding: 'utf8' });
    const full = { code: fullRun.status, stdout: fullRun.stdout, stderr: fullRun.stderr };
    assert.equal(full.code, 0);
    assert.equal(full.stderr, '');
    for (const r of [piped, list, full]) assert.doesNotMatch(r.stderr, /\n\s+at |internal error|EPIPE/);
  });

  test('help: examples at the top, every line of every command\'s help within 80 columns when piped', async () => {
    const top = await run(['--help']);
    assert.match(top.stdout, /\nExamples:\n  # register an account with Let's Encrypt \(asks for nothing\)\n  certnode acme account register default admin@example\.com \\\n/);
    const commands = [[], ['acme'], ['acme', 'account', 'register'], ['acme', 'cert', 'revoke'], ['acme', 'plugin', 'add'], ['acme', 'plugin', 'set'], ['config', 'set'], ['cert', 'set']];
    for (const args of commands) {
      const r = await run([...args, '--help']);
      assert.equal(r.code, 0);
      for (const line of r.stdout.split('\n')) assert.ok(line.length <= 80, `${args.join(' ')} --help: ${line.length} columns: ${line}`);
    }
    const revoke = await run(['acme', 'cert', 'revoke', '--help']);
    assert.match(revoke.stdout.replace(/\s+/g, ' '), /--reason <reason> .* \(default: none sent, which the CA takes as unspecified\)/);
    const wide = await run(['config', 'set', '--help'], { tty: true, columns: 120 });
    assert.ok(wide.stdout.split('\n').some((l) => l.length > 80), 'on a wider terminal help uses the width');
  });

  test('--version', async () => {
    assert.deepEqual(await run(['--version']), { code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  test('usage errors: one ERROR line plus USAGE, exit 255', async () => {
    const cases: [string[], string][] = [
      [['acme', 'plugin', 'bogus'], "ERROR: unknown command 'certnode acme plugin bogus' - see 'certnode acme plugin --help'\nUSAGE: certnode acme plugin <command> [OPTIONS]\n"],
      [['acme', 'acount', 'list'], "ERROR: unknown command 'certnode acme acount' - did you mean 'certnode acme account'?\nUSAGE: certnode acme <command> [OPTIONS]\n"],
      [['acme', 'plugin', 'add', 'dns'], 'ERROR: not enough arguments - <id> is missing\nUSAGE: certnode acme plugin add <type> <id> [OPTIONS]\n'],
      [['acme', 'plugin', 'add'], 'ERROR: not enough arguments - <type> is missing\nUSAGE: certnode acme plugin add <type> <id> [OPTIONS]\n'],
      [['acme', 'plugin', 'list', '--tpye', 'dns'], "ERROR: unknown option '--tpye' - did you mean '--type'?\nUSAGE: certnode acme plugin list [OPTIONS]\n"],
      [['config', 'set', '--acmedomain100', 'a.example'], "ERROR: unknown option '--acmedomain100' - domain slots are --acmedomain0 .. --acmedomain99\nUSAGE: certnode config set [OPTIONS]\n"],
      [['help', 'nosuch'], "ERROR: unknown command 'certnode nosuch' - see 'certnode --help'\nUSAGE: certnode <command> [OPTIONS]\n"],
      [['help', 'acme', 'plugn'], "ERROR: unknown command 'certnode acme plugn' - did you mean 'certnode acme plugin'?\nUSAGE: certnode acme <command> [OPTIONS]\n"],
      [['acme', 'plugin', 'config', 'a1', 'b1'], 'ERROR: too many arguments\nUSAGE: certnode acme plugin config <id> [OPTIONS]\n'],
      [['acme', 'plugin', 'list', '--bogus'], "ERROR: unknown option '--bogus'\nUSAGE: certnode acme plugin list [OPTIONS]\n"],
      [['acme', 'plugin', 'list', '--type', 'http'], "ERROR: type: value 'http' does not have a value in the enumeration 'dns, standalone'\nUSAGE: certnode acme plugin list [OPTIONS]\n"],
      [['--output-format', 'xml', 'acme', 'plugin', 'list'], "ERROR: output-format: value 'xml' does not have a value in the enumeration 'text, json, json-pretty'\nUSAGE: certnode acme plugin list [OPTIONS]\n"],
      [['acme', 'plugin', 'list', '--noborder', 'maybe'], 'ERROR: too many arguments\nUSAGE: certnode acme plugin list [OPTIONS]\n'],
    ];
    for (const [args, stderr] of cases) {
      const r = await run(args);
      assert.deepEqual({ code: r.code, stdout: r.stdout, stderr: r.stderr }, { code: 255, stdout: '', stderr }, args.join(' '));
    }
  });

  test('an incomplete command says so and shows the subcommands on stderr', async () => {
    const r = await run(['acme']);
    assert.equal(r.code, 255);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^ERROR: incomplete command 'certnode acme'\nUsage: certnode acme \[options\] \[command\]/);
    assert.match(r.stderr, /\n  plugin +ACME challenge plugins/);
  });

  test('global options work before or after the command, from the environment, and --quiet', async () => {
    const a = await run(['--output-format', 'json', 'acme', 'plugin', 'list']);
    const b = await run(['acme', 'plugin', 'list', '--output-format=json']);
    const c = await run(['acme', 'plugin', 'list'], { env: { CERTNODE_OUTPUT_FORMAT: 'json' } });
    assert.equal(a.stdout, b.stdout);
    assert.equal(a.stdout, c.stdout);
    assert.match(a.stdout, /^\[{"digest":"[0-9a-f]{64}","plugin":"standalone","type":"standalone"}\]\n$/);
    assert.deepEqual(await run(['acme', 'plugin', 'list', '--quiet']), { code: 0, stdout: '', stderr: '' });
    const other = tempDir();
    try {
      writeFileSync(join(other.dir, 'node.cfg'), 'acme: account=elsewhere\n');
      const viaFlag = await runCli(['--config-dir', other.dir, 'config', 'get']);
      assert.equal(viaFlag.stdout, 'acme: account=elsewhere\n');
    } finally {
      other.cleanup();
    }
  });

  test('errors under a terminal are the same single line', async () => {
    const r = await run(['acme', 'plugin', 'config', 'nope'], { tty: true });
    assert.equal(r.code, 255);
    assert.equal(r.stdout, "ERROR: ACME plugin 'nope' not defined\n");
  });

  test('no stack traces unless CERTNODE_DEBUG=1', async () => {
    const broken = tempDir();
    try {
      mkdirSync(join(broken.dir, 'acme', 'plugins.cfg'), { recursive: true }); // a directory where a file should be
      const plain = await runCli(['acme', 'plugin', 'list'], { configDir: broken.dir });
      assert.equal(plain.code, 255);
      assert.equal(plain.stderr, `ERROR: unable to read '${join(broken.dir, 'acme', 'plugins.cfg')}' - Illegal operation on a directory\n`);
      const debug = await runCli(['acme', 'plugin', 'list'], { configDir: broken.dir, env: { CERTNODE_DEBUG: '1' } });
      assert.match(debug.stderr, /\n\s+at /);
    } finally {
      broken.cleanup();
    }
  });

  test("start-up: piped, without NO_COLOR, --help, acme plugin list and config get load none of Node's stream, socket or crypto modules", () => {
    const { NO_COLOR: _, ...env } = baseEnv();
    // Node's own modules the run loaded, from a --require hook (runProbed's module hooks start a
    // loader thread that loads streams itself)
    const hook = join(dir, 'builtins-hook.cjs');
    const list = join(dir, 'builtins.txt');
    writeFileSync(hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\\n')));\n`);
    const builtinsOf = (args: string[]): { status: number | null; stderr: string; builtins: string[] } => {
      const r = spawnSync(process.execPath, ['--require', hook, BIN, ...args], { env: { ...env, CERTNODE_CONFIG_DIR: dir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
      return { status: r.status, stderr: r.stderr, builtins: readFileSync(list, 'utf8').split('\n') };
    };
    for (const args of [['--help'], ['acme', 'plugin', 'list'], ['config', 'get'], ['acme', 'plugin', 'add', 'nosuch']]) {
      const r = builtinsOf(args);
      assert.equal(r.status, args[3] === 'nosuch' ? 255 : 0, r.stderr);
      assert.ok(r.builtins.includes('vm'), `the hook sees Node's modules (control): ${r.builtins.join(' ')}`);
      // stdout and stderr are pipes: written with fs.writeSync, not through Node's socket streams
      // (commander's colour check used to make Node build process.stdout for --help)
      assert.deepEqual(r.builtins.filter((m) => /^(net|tty|stream|crypto|internal\/fs\/sync_write_stream|internal\/streams\/(readable|writable|duplex))$/.test(m)), [], args.join(' '));
    }
    // the control the other way: talking to a CA loads them
    const reg = builtinsOf(['acme', 'account', 'register', 'probe', 'p@example.com', '--directory', 'http://127.0.0.1:9/dir', '--agree-tos']);
    assert.equal(reg.status, 255);
    assert.ok(reg.builtins.includes('net') && reg.builtins.includes('crypto'), reg.builtins.join(' '));
  });

  test('start-up: --help and acme plugin list load neither acme-client nor what they do not use', async () => {
    for (const args of [['--help'], ['acme', 'plugin', 'list']]) {
      const r = await runProbed(args, { ...baseEnv(), CERTNODE_CONFIG_DIR: dir });
      assert.equal(r.status, 0, r.stderr);
      assert.ok(r.sources.some((m) => m.includes('node_modules/commander/')), 'the probe sees commander (control)');
      assert.deepEqual(r.sources.filter((m) => /acme-client|axios|@peculiar|@inquirer/.test(m)), [], args.join(' '));
      // neither needs keys (node:crypto), the task log's colours or another command's module
      assert.deepEqual(
        r.sources.filter((m) => /src\/core\/cert\/key-material\.ts|node_modules\/chalk\/|src\/commands\/(?!acme\/plugin\/list\.ts)[^/]+\/.*\.ts/.test(m)),
        [],
        args.join(' '),
      );
      // reading takes no lock: no lock library
      assert.deepEqual(r.sources.filter((m) => /proper-lockfile|graceful-fs|src\/core\/store\/lock\.ts/.test(m)), [], args.join(' '));
      // help draws no table: the table libraries stay unloaded
      if (args[0] === '--help') assert.deepEqual(r.sources.filter((m) => /cli-table3|string-width/.test(m)), []);
      else {
        assert.ok(r.sources.some((m) => m.includes('node_modules/cli-table3/')), 'plugin list draws a table (control)');
        // a table of plain ASCII measures without string-width (its Intl.Segmenter is slow to set up)
        assert.deepEqual(r.sources.filter((m) => m.startsWith('node_modules/string-width/')), []);
      }
    }
    // the control for the locks: a write takes one
    const write = await runProbed(['config', 'set', '--description', 'probe'], { ...baseEnv(), CERTNODE_CONFIG_DIR: join(dir, 'write') });
    assert.equal(write.status, 0, write.stderr);
    assert.ok(write.sources.some((m) => m.includes('node_modules/proper-lockfile/')), 'config set locks node.cfg (control)');
    // the control: text beyond ASCII in a table does load string-width
    const cjk = join(dir, 'cjk');
    writeFileSync(join(dir, 'cjk.data'), 'CF_Account_ID=東京本社のアカウント\n');
    assert.equal((await runCli(['acme', 'plugin', 'add', 'dns', 'tokyo', '--api', 'cf', '--data', join(dir, 'cjk.data')], { configDir: cjk })).code, 0);
    const wide = await runProbed(['acme', 'plugin', 'list'], { ...baseEnv(), CERTNODE_CONFIG_DIR: cjk });
    assert.equal(wide.status, 0, wide.stderr);
    assert.match(wide.stdout, /東京本社のアカウント/);
    assert.ok(wide.sources.some((m) => m.startsWith('node_modules/string-width/')), 'a table with CJK text loads string-width');
    // and the control the other way: a command that talks to a CA does load it
    const reg = await runProbed(['acme', 'account', 'register', 'probe', 'p@example.com', '--directory', 'http://127.0.0.1:9/dir', '--agree-tos'], { ...baseEnv(), CERTNODE_CONFIG_DIR: dir });
    assert.equal(reg.status, 255);
    assert.ok(reg.sources.some((m) => m.includes('node_modules/acme-client/src/client.js')), 'register loads acme-client');
    assert.deepEqual(reg.sources.filter((m) => /node-forge|node_modules\/axios\//.test(m)), [], 'but neither node-forge nor axios');
  });
});

// Task-log colour: chalk, switched by NO_COLOR / FORCE_COLOR / whether the stream is a terminal.

import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Context } from '../../src/context.ts';
import type { CommandEnv } from '../../src/core/env.ts';
import { configPaths } from '../../src/core/paths.ts';
import { runTask } from '../../src/core/output/tasklog.ts';

function env(vars: Record<string, string>, tty: boolean): { env: CommandEnv; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  const ctx: Context = {
    io: { stdin: new PassThrough(), stdout, stderr, isStdinTTY: tty, isStdoutTTY: tty, isStderrTTY: tty, columns: tty ? 80 : undefined },
    env: vars,
    now: () => new Date(0),
    sleep: async () => {},
    onInterrupt: () => () => {},
  };
  return {
    env: { ctx, globals: { configDir: '/nonexistent', outputFormat: 'text', noborder: false, noheader: false, quiet: false }, paths: configPaths('/nonexistent') },
    out: () => out,
    err: () => err,
  };
}

const GREEN_OK = '\u001b[32mTask OK\u001b[39m\n';
const YELLOW = (s: string): string => `\u001b[33m${s}\u001b[39m`;

test('a terminal gets colour, a pipe does not', async () => {
  const tty = env({}, true);
  await runTask(tty.env, async (log) => log.info('step'));
  assert.equal(tty.out(), `step\n${GREEN_OK}`);
  const pipe = env({}, false);
  await runTask(pipe.env, async (log) => log.info('step'));
  assert.equal(pipe.out(), 'step\nTask OK\n');
});

test('NO_COLOR wins on a terminal; FORCE_COLOR colours a pipe (FORCE_COLOR=0 does not)', async () => {
  const noColor = env({ NO_COLOR: '1' }, true);
  await runTask(noColor.env, async (log) => log.warn('careful'));
  assert.equal(noColor.out(), 'careful\nTask WARNINGS: 1\n');
  const forced = env({ FORCE_COLOR: '1' }, false);
  await runTask(forced.env, async (log) => log.warn('careful'));
  assert.equal(forced.out(), `${YELLOW('careful')}\n${YELLOW('Task WARNINGS: 1')}\n`);
  const zero = env({ FORCE_COLOR: '0' }, false);
  await runTask(zero.env, async () => {});
  assert.equal(zero.out(), 'Task OK\n');
});

test('Task ERROR is red on a terminal stderr', async () => {
  const tty = env({}, true);
  await assert.rejects(runTask(tty.env, async () => Promise.reject(new Error('boom'))));
  assert.equal(tty.err(), '\u001b[31mTask ERROR: boom\u001b[39m\n');
});

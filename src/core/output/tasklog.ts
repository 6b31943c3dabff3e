// Proxmox-style task log for commands that do work (register, order, renew, ...):
// step lines, then "Task OK" / "Task WARNINGS: n"; on failure "Task ERROR: <msg>" on stderr.
// In json modes the log goes to stderr so stdout carries only the JSON result.

import { Chalk, type ChalkInstance } from 'chalk';
import type { CommandEnv } from '../env.ts';
import { CliError, SilentError } from '../errors.ts';
import type { Result } from './render.ts';

export interface TaskLog {
  /** One step line (may contain several lines). */
  info(text: string): void;
  /** A warning: printed, counted, and the task ends with "Task WARNINGS: n". */
  warn(text: string): void;
}

/**
 * Colour for a stream, the way CLI tools agree on: NO_COLOR (any value) switches it off,
 * FORCE_COLOR (not 0) on, otherwise only on a terminal. Decided from the Context, not from
 * chalk's own look at process.env, so tests and library callers get what they pass in.
 */
export function colorFor(env: CommandEnv, stream: 'stdout' | 'stderr'): ChalkInstance {
  const { io, env: vars } = env.ctx;
  let on: boolean;
  if (vars.NO_COLOR !== undefined && vars.NO_COLOR !== '') on = false;
  else if (vars.FORCE_COLOR !== undefined && vars.FORCE_COLOR !== '' && vars.FORCE_COLOR !== '0' && vars.FORCE_COLOR !== 'false') on = true;
  else on = stream === 'stdout' ? io.isStdoutTTY : io.isStderrTTY;
  return new Chalk({ level: on ? 1 : 0 });
}

/**
 * Run `work` as a task. Its return value is what json modes print (text mode prints the log).
 * Errors are reported here ("Task ERROR: ...") and rethrown as SilentError so the exit code is non-zero.
 */
export async function runTask(env: CommandEnv, work: (log: TaskLog) => Promise<Result | void>): Promise<Result> {
  const { io } = env.ctx;
  const json = env.globals.outputFormat !== 'text';
  const quiet = env.globals.quiet;
  const logStream = json ? io.stderr : io.stdout;
  const logColor = colorFor(env, json ? 'stderr' : 'stdout');
  let warnings = 0;
  const log: TaskLog = {
    info(text) {
      if (!quiet) logStream.write(`${text}\n`);
    },
    warn(text) {
      warnings++;
      if (!quiet) logStream.write(`${logColor.yellow(text)}\n`);
    },
  };
  let result: Result | void;
  try {
    result = await work(log);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(`${colorFor(env, 'stderr').red(`Task ERROR: ${message}`)}\n`);
    if (env.ctx.env.CERTNODE_DEBUG === '1' && err instanceof Error && err.stack && !(err instanceof CliError)) io.stderr.write(`${err.stack}\n`);
    throw new SilentError(message, { cause: err });
  }
  if (!quiet) {
    if (warnings > 0) logStream.write(`${logColor.yellow(`Task WARNINGS: ${warnings}`)}\n`);
    else logStream.write(`${logColor.green('Task OK')}\n`);
  }
  return json && result ? result : { kind: 'none' };
}

/**
 * Step lines for a command that is not a task (no "Task OK" line, PVE's `cert set`): stdout in
 * text mode, stderr in json modes, nothing with --quiet.
 */
export function stepLog(env: CommandEnv): TaskLog {
  const { io } = env.ctx;
  const stream = env.globals.outputFormat === 'text' ? io.stdout : io.stderr;
  const color = colorFor(env, env.globals.outputFormat === 'text' ? 'stdout' : 'stderr');
  return {
    info(text) {
      if (!env.globals.quiet) stream.write(`${text}\n`);
    },
    warn(text) {
      if (!env.globals.quiet) stream.write(`${color.yellow(text)}\n`);
    },
  };
}

/**
 * The JSON both `acme cert order` and a renewal that ordered print: the installed certificate
 * (as `cert info` shows it), the order URL, and `changed` like every other command that writes.
 */
export function orderedResult(certificate: Record<string, unknown> | object, orderUrl: string): { changed: true; certificate: object; order: string } {
  return { changed: true, certificate, order: orderUrl };
}

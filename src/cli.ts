// main(argv, ctx) -> exit code. The only place where errors become output and exit codes.

import { CommanderError, type Command } from 'commander';
import { localeIsUtf8, signalExitCode, type Context } from './context.ts';
import { normalizeArgv } from './core/argv.ts';
import { parseBoolean } from './core/config/formats.ts';
import { MAX_DOMAIN_SLOT } from './core/config/node.ts';
import { CancelledError, CliError, FailureWithData, ReloadFailedError, SilentError, UsageError } from './core/errors.ts';
import { OUTPUT_FORMATS, renderResult, type OutputFormat } from './core/output/render.ts';
import { DEFAULT_CONFIG_DIR, resolvePaths } from './core/paths.ts';
import { keepGroupModes, pmxcfsModes, setModePolicy } from './core/store/mode-policy.ts';
import { buildProgram, commandNode, usageLine, type Invocation } from './commands/index.ts';
import type { CommandEnv, Globals } from './commands/command.ts';
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, EXIT_RELOAD_FAILED } from './core/exit-status.ts';
import { VERSION } from './version.ts';

export { VERSION };

/** Exit codes (src/core/exit-status.ts). pvenode exits 255 on every failure; Ctrl-C keeps the shell convention. */
const EXIT_CANCELLED = EXIT_INTERRUPTED;

function exitCodeFor(err: unknown): number {
  if (err instanceof CancelledError) return err.signal ? signalExitCode(err.signal) : EXIT_CANCELLED;
  if (err instanceof SilentError && err.cause !== undefined) return exitCodeFor(err.cause);
  if (err instanceof ReloadFailedError) return EXIT_RELOAD_FAILED;
  return EXIT_FAILURE;
}

export async function main(argv: readonly string[], ctx: Context): Promise<number> {
  let invocation: Invocation | undefined;
  let commanderErr = '';
  const program = buildProgram(
    VERSION,
    (inv) => {
      invocation = inv;
    },
    {
      writeOut: (s) => ctx.io.stdout.write(s),
      // help wraps to the terminal (80 columns when piped)
      getOutHelpWidth: () => ctx.io.columns ?? 80,
      getErrHelpWidth: () => ctx.io.columns ?? 80,
      // certnode's help has no colour to keep or strip; commander's own check would look at
      // process.stdout/stderr, which makes Node build a stream (node:net, for a pipe) for nothing
      getOutHasColors: () => false,
      getErrHasColors: () => false,
      writeErr: (s) => {
        commanderErr += s;
      },
      outputError: () => {},
    },
  );

  let normalized: string[] = [...argv];
  try {
    normalized = normalizeArgv(argv, commandNode(program));
    await program.parseAsync(normalized, { from: 'user' });
    if (!invocation) return EXIT_OK;
    const inv = invocation;
    const globals = resolveGlobals(inv.command.optsWithGlobals(), ctx.env);
    const env: CommandEnv = { ctx, globals, paths: resolvePaths({ configDir: globals.configDir, layout: globals.layout, node: globals.node, env: ctx.env }) };
    // /etc/pve is pmxcfs: only its own file modes are allowed there
    // and /etc/proxmox-backup's files are root:backup, read by daemons running as backup
    setModePolicy(env.paths.layout === 'pve' ? pmxcfsModes(env.paths.configDir) : env.paths.layout === 'pbs' ? keepGroupModes() : undefined);
    const leaf = await inv.load();
    let result;
    try {
      result = await leaf.run(env, await leaf.parse(inv.args, inv.raw, env));
    } catch (err) {
      const failure = err instanceof SilentError && err.cause instanceof FailureWithData ? err.cause : err instanceof FailureWithData ? err : undefined;
      if (failure && globals.outputFormat !== 'text') ctx.io.stdout.write(await renderResult({ kind: 'object', data: failure.data }, { format: globals.outputFormat, border: true, header: true, utf8: false, width: undefined }));
      throw withCommand(err, inv.command);
    }
    if (!globals.quiet) {
      ctx.io.stdout.write(
        await renderResult(result, {
          format: globals.outputFormat,
          border: !globals.noborder,
          header: !globals.noheader,
          utf8: localeIsUtf8(ctx.env),
          width: ctx.io.isStdoutTTY ? ctx.io.columns : undefined,
        }),
      );
    }
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) return reportCommanderError(err, program, normalized, commanderErr, ctx);
    const usageFor = err instanceof CommandUsageError ? err.command : err instanceof UsageError ? deepestCommand(program, normalized) : undefined;
    const cause = err instanceof CommandUsageError ? err.cause : err;
    reportError(cause, ctx, usageFor);
    return exitCodeFor(cause);
  }
}

class CommandUsageError extends Error {
  readonly command: Command;
  constructor(cause: unknown, command: Command) {
    super('usage', { cause });
    this.command = command;
  }
}

function withCommand(err: unknown, command: Command): unknown {
  return err instanceof UsageError ? new CommandUsageError(err, command) : err;
}

function resolveGlobals(opts: Record<string, unknown>, env: Context['env']): Globals {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const format = str(opts.outputFormat) ?? (env.CERTNODE_OUTPUT_FORMAT || 'text');
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`value '${format}' does not have a value in the enumeration '${OUTPUT_FORMATS.join(', ')}'`, 'output-format');
  }
  const configDir = str(opts.configDir) ?? (env.CERTNODE_CONFIG_DIR || DEFAULT_CONFIG_DIR);
  if (configDir === '') throw new UsageError('value must not be empty', 'config-dir');
  const flag = (name: string): boolean => {
    const v = str(opts[name]);
    return v === undefined ? false : parseBoolean(v, name);
  };
  return { configDir, layout: str(opts.layout), node: str(opts.node), outputFormat: format as OutputFormat, noborder: flag('noborder'), noheader: flag('noheader'), quiet: flag('quiet') };
}

function reportError(err: unknown, ctx: Context, usageFor?: Command): void {
  if (err instanceof SilentError) return;
  const message = err instanceof Error ? err.message : String(err);
  let text = `ERROR: ${message}\n`;
  if (usageFor) text += `USAGE: ${usageLine(usageFor)}\n`;
  if (ctx.env.CERTNODE_DEBUG === '1' && err instanceof Error && err.stack) text += `${err.stack}\n`;
  else if (!(err instanceof CliError) && err instanceof Error && err.stack) {
    // Not one of ours: a bug. Say where, briefly.
    text += `(internal error; run with CERTNODE_DEBUG=1 for the stack trace)\n`;
  }
  ctx.io.stderr.write(text);
}

function reportCommanderError(err: CommanderError, program: Command, argv: readonly string[], helpText: string, ctx: Context): number {
  // help and --version (and `certnode help <cmd>`) exit 0; a group named without a subcommand does not
  if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || (err.code === 'commander.help' && err.exitCode === 0)) return EXIT_OK;
  const cmd = deepestCommand(program, argv);
  const path = usageLine(cmd).replace(/ (<command>|<[^>]+>|\[<[^>]+>\]|\[OPTIONS\])/g, '');
  let message: string;
  switch (err.code) {
    case 'commander.help':
      ctx.io.stderr.write(`ERROR: incomplete command '${path}'\n${helpText}`);
      return EXIT_FAILURE;
    case 'commander.missingArgument': {
      const name = /'([^']*)'/.exec(err.message)?.[1];
      message = name ? `not enough arguments - <${name}> is missing` : 'not enough arguments';
      break;
    }
    case 'commander.excessArguments':
      message = 'too many arguments';
      break;
    case 'commander.unknownCommand': {
      const name = /'([^']*)'/.exec(err.message)?.[1] ?? '';
      const suggestion = suggestionIn(err.message);
      message = `unknown command '${path} ${name}'${suggestion ? ` - did you mean '${path} ${suggestion}'?` : ` - see '${path} --help'`}`;
      break;
    }
    case 'commander.unknownOption': {
      const name = /'([^']*)'/.exec(err.message)?.[1] ?? '';
      const suggestion = suggestionIn(err.message);
      message = `unknown option '${name}'`;
      if (/^--acmedomain\d+$/.test(name)) message += ` - domain slots are --acmedomain0 .. --acmedomain${MAX_DOMAIN_SLOT}`;
      else if (suggestion) message += ` - did you mean '${suggestion}'?`;
      break;
    }
    default:
      message = err.message.replace(/^error: /, '').split('\n')[0]!;
  }
  ctx.io.stderr.write(`ERROR: ${message}\nUSAGE: ${usageLine(cmd)}\n`);
  return EXIT_FAILURE;
}

/** Commander's own "(Did you mean x?)" line, which knows the tree's names and options. */
function suggestionIn(commanderMessage: string): string | undefined {
  return /\(Did you mean (?:one of )?([^,?)]+)/.exec(commanderMessage)?.[1]?.trim();
}

/** The command the (normalized) argv names, as far as it names one. */
function deepestCommand(program: Command, argv: readonly string[]): Command {
  let current = program;
  for (const token of argv) {
    if (token === '--') break;
    const sub = current.commands.find((c) => c.name() === token || c.aliases().includes(token));
    if (sub) current = sub;
  }
  return current;
}

// Typed errors. Only src/cli.ts turns them into output and exit codes.

export class CliError extends Error {
  override name = 'CliError';
}

/** Bad command-line input: printed with the command's usage line. */
export class UsageError extends CliError {
  override name = 'UsageError';
  /** The parameter the message is about, printed as "<param>: <message>". */
  readonly param: string | undefined;
  constructor(message: string, param?: string) {
    super(param ? `${param}: ${message}` : message);
    this.param = param;
  }
}

/** A configuration file that cannot be read or a value in it that is wrong. */
export class ConfigError extends CliError {
  override name = 'ConfigError';
  readonly file: string | undefined;
  readonly line: number | undefined;
  constructor(message: string, file?: string, line?: number) {
    super(file ? `${file}${line !== undefined ? ` line ${line}` : ''}: ${message}` : message);
    this.file = file;
    this.line = line;
  }
}

/** A configuration changed under us (digest mismatch) or a lock we could not get. */
export class ConflictError extends CliError {
  override name = 'ConflictError';
}

export interface AcmeSubproblem {
  type?: string;
  detail?: string;
  identifier?: { type: string; value: string };
}

/** A problem document returned by the ACME server. */
export class AcmeProblemError extends CliError {
  override name = 'AcmeProblemError';
  readonly type: string | undefined;
  readonly status: number | undefined;
  readonly subproblems: readonly AcmeSubproblem[];
  /** When the CA said to try again (Retry-After), if it did and certnode did not wait for it. */
  readonly retryAt: Date | undefined;
  constructor(message: string, type: string | undefined, status: number | undefined, subproblems: readonly AcmeSubproblem[] = [], retryAt?: Date) {
    super(message);
    this.type = type;
    this.status = status;
    this.subproblems = subproblems;
    this.retryAt = retryAt;
  }
}

/** A challenge plugin (DNS script, standalone listener) failed. */
export class PluginError extends CliError {
  override name = 'PluginError';
  readonly pluginId: string;
  readonly exitCode: number | undefined;
  readonly stderrTail: string | undefined;
  constructor(message: string, pluginId: string, exitCode?: number, stderrTail?: string) {
    super(message);
    this.pluginId = pluginId;
    this.exitCode = exitCode;
    this.stderrTail = stderrTail;
  }
}

/** The user interrupted (Ctrl-C, SIGTERM, SIGHUP) or declined a prompt. */
export class CancelledError extends CliError {
  override name = 'CancelledError';
  /** The signal that interrupted (SIGINT, SIGTERM, SIGHUP): the exit status is 128 + its number. */
  readonly signal: string | undefined;
  constructor(message: string, signal?: string) {
    super(message);
    this.signal = signal;
  }
}

/**
 * The new certificate is installed, but the reload command failed afterwards: not a failed
 * install (the files are in place), so it has an exit status of its own (see cli.ts).
 */
export class ReloadFailedError extends CliError {
  override name = 'ReloadFailedError';
}

/** Failure that has already been reported (e.g. a task log ended with "Task ERROR"). */
export class SilentError extends CliError {
  override name = 'SilentError';
}

/**
 * A failure that still has data for the json modes (`acme plugin test`: which step failed):
 * the json result is printed on stdout, the message as usual, and the exit status is an error's.
 */
export class FailureWithData extends CliError {
  override name = 'FailureWithData';
  readonly data: Record<string, unknown>;
  constructor(message: string, data: Record<string, unknown>) {
    super(message);
    this.data = data;
  }
}

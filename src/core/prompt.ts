// Questions to the user. On a terminal: a prompt library (arrow-key menu, confirm).
// Without one: pvenode's way — the prompt text and a newline, then one line from stdin.
// Every question names the flag that answers it, so EOF on stdin fails with a hint instead of hanging.

import type { Readable, Writable } from 'node:stream';
import { localeIsUtf8, type Context, type TextOutput } from '../context.ts';
import { CancelledError, CliError, UsageError } from './errors.ts';

export interface MenuChoice<T> {
  label: string;
  value: T;
}

export interface Question {
  /** pvenode's prompt text, e.g. "Do you agree to the above terms? [y|N]: ". */
  text: string;
  /** The flag that answers this question without a prompt (named in the EOF error). */
  flag: string;
}

export interface Prompter {
  readonly interactive: boolean;
  /** A line of information shown with the questions. */
  say(text: string): void;
  /** Pick one of `choices` by its number (pvenode's menu: `0) …`, `1) …`); a terminal also takes the arrow keys. */
  menu<T>(q: Question, choices: readonly MenuChoice<T>[]): Promise<T>;
  /** Free text; `secret` hides it on a terminal. Empty answers are asked again unless `optional`. */
  input(q: InputQuestion): Promise<string>;
  /**
   * Yes/no, default no. `required`: EOF is an error naming the flag (the command cannot go on
   * without an answer); otherwise EOF means the default.
   */
  confirm(q: Question & { required: boolean }): Promise<boolean>;
  close(): void;
}

export type InputQuestion = Question & { secret?: boolean; optional?: boolean; validate?: (value: string) => string | undefined };

const MAX_ATTEMPTS = 4;

/** Four wrong answers: an error (exit 255), not an interruption. */
function tooManyAttempts(q: Question): CliError {
  return new CliError(`no valid answer to "${q.text.replace(/:\s*$/, '')}" after ${MAX_ATTEMPTS} attempts, aborting; pass ${q.flag}`);
}

/** Reads stdin line by line through one buffer, so answers piped in together are not lost between questions. */
export class LineReader {
  private buffer = '';
  private ended = false;
  private waiting: (() => void) | undefined;
  private started = false;
  private readonly input: Readable;

  constructor(input: Readable) {
    this.input = input;
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    this.input.setEncoding('utf8');
    this.input.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.wake();
    });
    this.input.on('end', () => {
      this.ended = true;
      this.wake();
    });
    this.input.on('error', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  /** The next line without its newline; undefined at end of input. */
  async readLine(): Promise<string | undefined> {
    this.start();
    this.input.resume();
    for (;;) {
      const nl = this.buffer.indexOf('\n');
      if (nl >= 0) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        this.input.pause();
        return line;
      }
      if (this.ended) {
        if (this.buffer === '') return undefined;
        const line = this.buffer;
        this.buffer = '';
        return line;
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
    }
  }

  close(): void {
    if (this.started) {
      this.input.removeAllListeners('data');
      this.input.pause();
    }
    (this.input as Readable & { unref?: () => void }).unref?.();
  }
}

function noAnswer(q: Question): UsageError {
  return new UsageError(`no answer for "${q.text.replace(/:\s*$/, '')}" on stdin; pass ${q.flag}`);
}

/** pvenode's PVE::PTY::read_line behaviour over a pipe (or a terminal without a prompt library). */
export class LinePrompter implements Prompter {
  readonly interactive = false;
  private readonly reader: LineReader;
  private readonly out: TextOutput;
  private readonly newlineAfterPrompt: boolean;

  constructor(input: Readable, out: TextOutput, newlineAfterPrompt: boolean) {
    this.reader = new LineReader(input);
    this.out = out;
    this.newlineAfterPrompt = newlineAfterPrompt;
  }

  say(text: string): void {
    this.out.write(`${text}\n`);
  }

  private async ask(q: Question): Promise<string | undefined> {
    this.out.write(this.newlineAfterPrompt ? `${q.text}\n` : q.text);
    return this.reader.readLine();
  }

  async menu<T>(q: Question, choices: readonly MenuChoice<T>[]): Promise<T> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      choices.forEach((c, i) => this.say(`${i}) ${c.label}`));
      const answer = await this.ask(q);
      if (answer === undefined) throw noAnswer(q);
      const trimmed = answer.trim();
      const choice = /^\d+$/.test(trimmed) ? choices[Number(trimmed)] : undefined;
      if (choice) return choice.value;
      this.say('Invalid selection.');
    }
    throw tooManyAttempts(q);
  }

  async input(q: InputQuestion): Promise<string> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const answer = await this.ask(q);
      if (answer === undefined) {
        if (q.optional) return '';
        throw noAnswer(q);
      }
      const value = answer.trim();
      if (value === '') {
        if (q.optional) return '';
        continue;
      }
      const problem = q.validate?.(value);
      if (problem === undefined) return value;
      this.say(problem);
    }
    throw tooManyAttempts(q);
  }

  async confirm(q: Question & { required: boolean }): Promise<boolean> {
    const answer = await this.ask(q);
    if (answer === undefined) {
      if (q.required) throw noAnswer(q);
      return false;
    }
    return /^y$/i.test(answer.trim());
  }

  close(): void {
    this.reader.close();
  }
}

type InquirerContext = { input: Readable; output: Writable };

/**
 * Inquirer draws ❯ ✔ ⠋ whatever the locale; under a non-UTF-8 locale (LANG=C, a serial console)
 * those come out as mojibake, so the prompts get ASCII marks there.
 */
const ASCII_THEME: { prefix: { idle: string; done: string }; spinner: { interval: number; frames: string[] } } = {
  prefix: { idle: '?', done: '*' },
  spinner: { interval: 120, frames: ['-', '\\', '|', '/'] },
};

/** A terminal: @inquirer/prompts (loaded only when a question is actually asked). */
export class TtyPrompter implements Prompter {
  readonly interactive = true;
  private readonly context: InquirerContext;
  private readonly theme: typeof ASCII_THEME | undefined;

  constructor(input: Readable, output: Writable, utf8 = true) {
    this.context = { input, output };
    this.theme = utf8 ? undefined : ASCII_THEME;
  }

  say(text: string): void {
    this.context.output.write(`${text}\n`);
  }

  private async run<T>(ask: (prompts: typeof import('@inquirer/prompts')) => Promise<T>): Promise<T> {
    const prompts = await import('@inquirer/prompts');
    try {
      return await ask(prompts);
    } catch (err) {
      // Ctrl-C in raw mode reaches inquirer as a key, not as SIGINT: it is still an interruption.
      if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) throw new CancelledError('interrupted');
      throw err;
    }
  }

  /**
   * pvenode's numbered menu: the numbers are shown (`0) …`), typing one and Enter picks it,
   * the arrow keys move through it. The numbers are the same as in the piped menu.
   */
  menu<T>(q: Question, choices: readonly MenuChoice<T>[]): Promise<T> {
    return this.run((p) =>
      p.rawlist(
        {
          message: q.text.replace(/:\s*$/, ''),
          choices: choices.map((c, i) => ({ name: c.label, value: c.value, key: String(i) })),
          loop: false,
          ...(this.theme ? { theme: { prefix: this.theme.prefix } } : {}),
        },
        this.context,
      ),
    );
  }

  input(q: InputQuestion): Promise<string> {
    const validate = (value: string): string | true => {
      if (value.trim() === '') return q.optional ? true : 'an answer is required';
      return q.validate?.(value.trim()) ?? true;
    };
    const message = q.text.replace(/:\s*$/, '');
    const theme = this.theme ? { theme: { prefix: this.theme.prefix, spinner: this.theme.spinner } } : {};
    return this.run(async (p) =>
      (q.secret ? await p.password({ message, mask: '*', validate, ...theme }, this.context) : await p.input({ message, validate, ...theme }, this.context)).trim(),
    );
  }

  confirm(q: Question & { required: boolean }): Promise<boolean> {
    const theme = this.theme ? { theme: { prefix: this.theme.prefix } } : {};
    return this.run((p) => p.confirm({ message: q.text.replace(/\s*\[y\|N\]:?\s*$/, ''), default: false, ...theme }, this.context));
  }

  close(): void {}
}

/**
 * The prompter for this process. Prompt library only when both ends are terminals; otherwise
 * pvenode's line protocol (prompt + newline when stdin is not a terminal). `out` is where
 * prompts go (stderr in json modes so stdout carries only JSON).
 */
export function createPrompter(ctx: Context, out: TextOutput = ctx.io.stdout): Prompter {
  const { io } = ctx;
  if (io.isStdinTTY && io.isStdoutTTY && io.stdoutStream && out === io.stdout) return new TtyPrompter(io.stdin, io.stdoutStream, localeIsUtf8(ctx.env));
  return new LinePrompter(io.stdin, out, !io.isStdinTTY);
}

// What the test DNS servers (BIND, PowerDNS) share: a child process with its log, a bounded
// wait until it answers, a stop that never hangs, and TXT lookups straight from the server.

import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { rmSync } from 'node:fs';

const READY_TIMEOUT_MS = 15_000;

/** TXT values of `name` as the server at `addr` ("ip:port") answers ([] when none). */
export async function txtAt(addr: string, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([addr]);
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
    throw err;
  }
}

export interface ServerProcess {
  log(): string;
  /** SIGTERM, SIGKILL after 3 s; then the server's directory goes. */
  stop(): Promise<void>;
}

/**
 * Starts `command`, then waits (bounded) until `ready()` is true; throws with the server's own
 * output when it exits or does not get ready.
 */
export async function startServerProcess(name: string, command: string, args: string[], dir: string, ready: () => Promise<boolean>): Promise<ServerProcess> {
  let output = '';
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.on('error', (err) => (output += `\nspawn error: ${err.message}\n`));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`${name} exited with ${child.exitCode}\n${output}`);
    }
    if (await ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${name} not ready within ${READY_TIMEOUT_MS} ms\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { log: () => output, stop };
}

/** A test body whose failure carries the tails of the servers' logs. */
export function withServerLogs(logs: () => Record<string, string>, fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof Error) {
        for (const [label, text] of Object.entries(logs())) err.message += `\n--- ${label} ---\n${text.split('\n').slice(-40).join('\n')}`;
      }
      throw err;
    }
  };
}

// A real Pebble ACME server (and pebble-challtestsrv for DNS) per test file, on free loopback ports.
// Throws — never skips — when the Debian `pebble` package is missing (scripts/run-tests.mjs installs it as root).
// The servers themselves are started by scripts/lib/pebble.mjs ('#pebble' in package.json "imports"),
// which `npm run demo` and `npm run bench` use too.

import assert from 'node:assert/strict';
import { startPebble, type Pebble, type PebbleOptions } from '#pebble';
import { after, before } from 'node:test';
import { runCli, tempDir } from './cli.ts';

export { DEFAULT_PROFILES, ensurePebble, findPebble, freePort, PEBBLE_MIN_VERSION, startPebble, versionAtLeast, type Pebble, type PebbleOptions } from '#pebble';

/**
 * Tests that share one Pebble per file: starts it before the first test, stops it after the
 * last, and appends both servers' logs to the error of a failing test.
 */
export function pebbleFixture(opts: PebbleOptions = {}): {
  start(): Promise<void>;
  stop(): Promise<void>;
  get(): Pebble;
  /** Wrap a test body so a failure carries the server logs. */
  withLogs<T>(fn: () => Promise<T>): () => Promise<T>;
  /**
   * A user's first steps in `configDir`: account `default` registered at this Pebble, the
   * standalone http-01 plugin on Pebble's validation port, and, when given, `domains` configured
   * and ordered. Each step must exit 0.
   */
  provision(configDir: string, opts?: { domains?: string }): Promise<void>;
} {
  let pebble: Pebble | undefined;
  return {
    async start() {
      pebble = await startPebble(opts);
    },
    async stop() {
      await pebble?.stop();
    },
    get() {
      if (!pebble) throw new Error('pebble not started');
      return pebble;
    },
    async provision(configDir, { domains } = {}) {
      const p = this.get();
      const steps = [
        ['acme', 'account', 'register', 'default', 'admin@example.com', '--directory', p.directoryUrl, '--agree-tos'],
        ['acme', 'plugin', 'set', 'standalone', '--port', String(p.httpPort), '--address', '127.0.0.1'],
        ...(domains === undefined ? [] : [['config', 'set', '--acme', `domains=${domains}`], ['acme', 'cert', 'order']]),
      ];
      for (const step of steps) {
        const r = await runCli(step, { configDir, env: p.env, timeoutMs: 120_000 });
        assert.equal(r.code, 0, `${step.join(' ')}: ${r.stderr}`);
      }
    },
    withLogs(fn) {
      return async () => {
        try {
          return await fn();
        } catch (err) {
          if (pebble && err instanceof Error) {
            const tail = (text: string): string => text.split('\n').slice(-80).join('\n');
            err.message += `\n--- pebble log (tail) ---\n${tail(pebble.log())}\n--- pebble-challtestsrv log (tail) ---\n${tail(pebble.challtestsrvLog())}`;
          }
          throw err;
        }
      };
    },
  };
}

/**
 * The usual test file: one Pebble and one temp dir for all its tests, started before the first
 * and removed after the last (node:test hooks registered here).
 */
export function pebbleForFile(opts: PebbleOptions = {}): { fixture: ReturnType<typeof pebbleFixture>; dir: string } {
  const fixture = pebbleFixture(opts);
  const { dir, cleanup } = tempDir();
  before(() => fixture.start());
  after(async () => {
    await fixture.stop();
    cleanup();
  });
  return { fixture, dir };
}

// A real Pebble ACME server (and pebble-challtestsrv for DNS) per test file, on free loopback ports.
// Throws — never skips — when the Debian `pebble` package is missing (scripts/run-tests.mjs installs it as root).
// The servers themselves are started by scripts/lib/pebble.mjs ('#pebble' in package.json "imports"),
// which `npm run demo` and `npm run bench` use too.

import { startPebble, type Pebble, type PebbleOptions } from '#pebble';

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

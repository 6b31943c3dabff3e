// What npm run bench (scripts/bench.mjs) and its --peers part (scripts/bench-peers.mjs) share:
// the peak-RSS hook, a median, and cleanup on the signals a user stops a benchmark with.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a `--require` hook into `dir` that, when CERTNODE_BENCH_RSS names a file, writes the
 * process's peak RSS (process.resourceUsage().maxRSS, KiB) there at exit. Returns its path.
 */
export function writeRssHook(dir) {
  const hook = join(dir, 'rss-hook.cjs');
  writeFileSync(hook, "process.on('exit', () => { if (process.env.CERTNODE_BENCH_RSS) require('fs').writeFileSync(process.env.CERTNODE_BENCH_RSS, String(process.resourceUsage().maxRSS)); });\n");
  return hook;
}

/** The median of `xs` (NaN for none). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length === 0 ? NaN : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** On SIGINT, SIGTERM or SIGHUP: run `cleanup` (stop servers, remove temp dirs), then exit 128+N. */
export function cleanupOnSignals(cleanup) {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(signal, () => void cleanup().finally(() => process.exit(code)));
  }
}

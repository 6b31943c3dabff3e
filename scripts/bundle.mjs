#!/usr/bin/env node
// The bundled build (part of `npm run build`): src/main.ts and everything it imports, node_modules
// included, as a few ES module files in dist/bundle/ that bin/certnode.js loads. One file read
// instead of hundreds of module resolutions is what keeps `certnode --help`, `acme plugin list` and
// a not-due renewal close to bare `node` (BENCHMARKS.md). Lazy imports stay lazy: each becomes
// its own chunk (the leaf commands, the prompt library, the ACME layer in dist/bundle/acme-lib.js).
// dist/bundle/meta.json (esbuild's metafile) says which sources each output file holds; the tests
// use it to check what a command loads.

import * as esbuild from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const OUT = join(ROOT, 'dist', 'bundle');

/**
 * `new URL('../share/x', import.meta.url)` in a source is relative to its tsc output
 * (dist/src/...); in the bundle the code sits in dist/bundle/, so such paths are rewritten to
 * point at the same file from there.
 */
const relocateAssets = {
  name: 'relocate-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      let contents = await readFile(args.path, 'utf8');
      const compiledDir = dirname(join(ROOT, 'dist', relative(ROOT, args.path)));
      contents = contents.replace(/new URL\((['"])(\.{1,2}\/[^'"]+)\1, import\.meta\.url\)/g, (_, q, rel) => {
        const target = resolve(compiledDir, rel);
        let fromBundle = relative(OUT, target);
        if (!fromBundle.startsWith('.')) fromBundle = `./${fromBundle}`;
        return `new URL(${q}${fromBundle}${q}, import.meta.url)`;
      });
      return { contents, loader: 'ts' };
    });
  },
};

/** acme-client's axios instance -> scripts/lib/acme-axios-stub.cjs (see there why). */
const stubAcmeAxios = {
  name: 'stub-acme-client-axios',
  setup(build) {
    build.onResolve({ filter: /^(\.\/axios|acme-client\/src\/axios\.js)$/ }, (args) => {
      if (args.path === './axios' && !/[/\\]acme-client[/\\]src[/\\]/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'scripts', 'lib', 'acme-axios-stub.cjs') };
    });
  },
};

/** commander's node:child_process -> scripts/lib/commander-child-process.cjs (loaded on first use; see there). */
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(build) {
    build.onResolve({ filter: /^node:child_process$/ }, (args) => {
      if (!/[/\\]commander[/\\]lib[/\\]command\.js$/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'scripts', 'lib', 'commander-child-process.cjs') };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'src/main.ts', 'acme-lib': 'src/core/acme/acme-lib.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // ES module builds first: a lazily imported CommonJS package (@peculiar/x509's main) would
  // otherwise reach its importer as a bare default export once split into a chunk
  mainFields: ['module', 'main'],
  minify: true,
  keepNames: true,
  chunkNames: 'chunk-[hash]',
  // CommonJS packages inside ES modules still call require() for node built-ins
  banner: { js: "import { createRequire as __certnodeRequire } from 'node:module'; const require = __certnodeRequire(import.meta.url);" },
  plugins: [relocateAssets, stubAcmeAxios, lazyCommanderChildProcess],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
writeFileSync(join(OUT, 'meta.json'), JSON.stringify(result.metafile));

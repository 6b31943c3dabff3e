#!/usr/bin/env node
// The bundled build (part of `npm run build`): src/main.ts and everything it imports, node_modules
// included, as a few CommonJS files (.cjs) in dist/bundle/ that bin/certnode.js loads. One file read
// instead of hundreds of module resolutions is what keeps `certnode --help`, `acme plugin list` and
// a not-due renewal close to bare `node` (BENCHMARKS.md). Lazy imports stay lazy: each becomes
// its own chunk (the leaf commands, the prompt library, the ACME layer in dist/bundle/acme-lib.cjs).
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

/** @peculiar/x509 and asn1js as acme-client's crypto module requires them -> loaded on first use (scripts/lib/acme-x509-lazy.cjs). */
const lazyAcmeCryptoLibraries = {
  name: 'lazy-acme-crypto-libraries',
  setup(build) {
    const stubs = { '@peculiar/x509': 'acme-x509-lazy.cjs', asn1js: 'acme-asn1js-lazy.cjs' };
    build.onResolve({ filter: /^(@peculiar\/x509|asn1js)$/ }, (args) => {
      if (!/[/\\]acme-client[/\\]src[/\\]crypto[/\\]index\.js$/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'scripts', 'lib', stubs[args.path]) };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const result = await esbuild.build({
  absWorkingDir: ROOT,
  entryPoints: { main: 'src/main.ts', 'acme-lib': 'src/core/acme/acme-lib.ts' },
  outdir: OUT,
  write: false,
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
  plugins: [relocateAssets, stubAcmeAxios, lazyCommanderChildProcess, lazyAcmeCryptoLibraries],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

/*
 * esbuild splits only ES modules into chunks; each chunk is then turned into a CommonJS file
 * (.cjs). Node loads those through require(), and a process that never meets an ES module skips
 * the ES module loader altogether: on Node 20 its set-up and per-module linking cost more than
 * everything --help itself does (BENCHMARKS.md). Semantics stay those of the ES modules: strict
 * mode, imports evaluated first and in order (chunk imports form no cycles: a chunk only imports
 * chunks shared by more entry points), live bindings through getters, lazy imports still lazy
 * (require() inside a promise, as import() was), import.meta.url the file's own URL.
 */
const cjsName = (file) => file.replace(/\.js$/, '.cjs');
const CHUNK_SPECIFIER = /(["'])\.\/((?:chunk-[A-Z0-9]+|main|acme-lib))\.js\1/g;
for (const output of result.outputFiles) {
  if (!output.path.endsWith('.js')) continue;
  const esm = output.text.replace(CHUNK_SPECIFIER, (_, q, name) => `${q}./${name}.cjs${q}`);
  const usesUrl = esm.includes('import.meta.url');
  const cjs = await esbuild.transform(esm, {
    format: 'cjs',
    loader: 'js',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    define: usesUrl ? { 'import.meta.url': '__certnodeUrl' } : {},
    minify: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const banner = `"use strict";${usesUrl ? 'const __certnodeUrl=require("node:url").pathToFileURL(__filename).href;' : ''}\n`;
  writeFileSync(cjsName(output.path), banner + cjs.code);
}
const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, meta]) => [cjsName(file), meta]));
writeFileSync(join(OUT, 'meta.json'), JSON.stringify({ ...result.metafile, outputs }));

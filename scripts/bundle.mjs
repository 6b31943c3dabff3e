#!/usr/bin/env node
// The bundled build (part of `npm run build`): src/main.ts and everything it imports, node_modules
// included, as a few CommonJS files (.cjs) in dist/bundle/ that bin/certnode.js loads. One file read
// instead of hundreds of module resolutions is what keeps `certnode --help`, `acme plugin list` and
// a not-due renewal close to bare `node` (BENCHMARKS.md). Lazy imports stay lazy: each becomes
// its own chunk (the leaf commands, the prompt library, the ACME layer in dist/bundle/acme-lib.cjs).
// dist/bundle/meta.json (esbuild's metafile) says which sources each output file holds; the tests
// use it to check what a command loads.

import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** @peculiar/x509 and asn1js as acme-client's crypto module requires them -> stand-ins that refuse any use (scripts/lib/acme-x509-lazy.cjs): certnode makes its CSRs itself (src/core/cert/csr.ts), so the libraries stay out of the ACME layer. */
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

/** cli-table3's string-width -> scripts/lib/cli-table3-string-width.cjs (see there why). */
const tableStringWidth = {
  name: 'cli-table3-string-width',
  setup(build) {
    build.onResolve({ filter: /^string-width$/ }, (args) => {
      if (!/[/\\]cli-table3[/\\]src[/\\]utils\.js$/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'scripts', 'lib', 'cli-table3-string-width.cjs') };
    });
  },
};

/** @noble/hashes/crypto -> scripts/lib/noble-crypto-none.cjs (see there why). */
const nobleWithoutCrypto = {
  name: 'noble-hashes-without-crypto',
  setup(build) {
    build.onResolve({ filter: /^@noble\/hashes\/crypto$/ }, () => ({ path: join(ROOT, 'scripts', 'lib', 'noble-crypto-none.cjs') }));
  },
};

/** graceful-fs as proper-lockfile requires it -> scripts/lib/proper-lockfile-fs.cjs (see there why). */
const lockfileWithoutGracefulFs = {
  name: 'proper-lockfile-without-graceful-fs',
  setup(build) {
    build.onResolve({ filter: /^graceful-fs$/ }, (args) => {
      if (!/[/\\]proper-lockfile[/\\]lib[/\\]/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'scripts', 'lib', 'proper-lockfile-fs.cjs') };
    });
    // and signal-exit 3 -> 4 (scripts/lib/proper-lockfile-signal-exit.cjs, see there why)
    build.onResolve({ filter: /^signal-exit$/ }, (args) => {
      if (!/[/\\]proper-lockfile[/\\]lib[/\\]/.test(args.importer)) return undefined;
      return { path: join(ROOT, 'scripts', 'lib', 'proper-lockfile-signal-exit.cjs') };
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
  plugins: [relocateAssets, stubAcmeAxios, lazyCommanderChildProcess, lazyAcmeCryptoLibraries, tableStringWidth, nobleWithoutCrypto, lockfileWithoutGracefulFs],
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});

/*
 * esbuild splits only ES modules into chunks; each chunk is then turned into CommonJS. Semantics
 * stay those of the ES modules: strict mode, imports evaluated first and in order (chunk imports
 * form no cycles: a chunk only imports chunks shared by more entry points), live bindings through
 * getters, lazy imports still lazy (a load inside a promise, as import() was), import.meta.url the
 * file's own URL.
 *
 * The files are not loaded through Node's module system but through bin/bundle-loader.cjs: a
 * chunk is named, not resolved (`__chunk("chunk-X")` instead of `require("./chunk-X.cjs")`), which
 * skips the path resolution, realpath and module objects Node spends on every file. And every
 * chunk main.cjs imports statically (what each command loads anyway) is packed into main.cjs
 * itself as a function, so a start-up reads one file and one code-cache entry for all of them;
 * the chunks only some commands load stay files of their own. Each file starts with a header line
 * holding a hash of its content: the loader's code-cache entries are named by it.
 */
const nameOf = (file) => file.replace(/^.*\//, '').replace(/\.(c?js)$/, '');
const NODE_NAMESPACE_IMPORT = /\bimport\s*\*\s*as\s*([\w$]+)\s*from\s*["'](node:[\w/]+)["'];?/g;
const CHUNK_SPECIFIER = /(["'])\.\/((?:chunk-[A-Z0-9]+|main|acme-lib))\.js\1/g;
const code = new Map();
for (const output of result.outputFiles) {
  if (!output.path.endsWith('.js')) continue;
  const esm = output.text
    .replace(CHUNK_SPECIFIER, (_, q, name) => `${q}./${name}.cjs${q}`)
    // `import * as fs from 'node:fs'`: the module object itself, as require gives it. The CommonJS
    // transform would copy it into a namespace object (a getter per property, ~100 for node:fs),
    // once per chunk and built-in, at every start-up. A namespace import reads only the built-in's
    // own exports, which the module object has (default imports keep esbuild's interop).
    .replace(NODE_NAMESPACE_IMPORT, (_, name, spec) => `const ${name}=require(${JSON.stringify(spec)});`);
  const usesUrl = esm.includes('import.meta.url');
  const cjs = await esbuild.transform(esm, {
    format: 'cjs',
    loader: 'js',
    platform: 'node',
    target: 'node20',
    supported: { 'dynamic-import': false },
    define: usesUrl ? { 'import.meta.url': '__certnodeMeta.url' } : {},
    minify: true,
    // no keepNames here: the first build named every function and class already (keepNames
    // there); naming them again would only record the minified names, overwritten at once
    legalComments: 'none',
    logLevel: 'warning',
  });
  const body = cjs.code.replace(/\brequire\("\.\/((?:chunk-[A-Z0-9]+|main|acme-lib))\.cjs"\)/g, '__chunk("$1")');
  const left = /\brequire\((["'])\.{1,2}\/[^"']*\1\)/.exec(body);
  if (left) throw new Error(`bundle: ${nameOf(output.path)} still requires a file (${left[0]}); only node: built-ins may be required`);
  // import.meta.url computed when read (node:url's pathToFileURL costs every start-up otherwise)
  const meta = 'const __certnodeMeta={get url(){return require("node:url").pathToFileURL(__filename).href}};';
  code.set(nameOf(output.path), `"use strict";${usesUrl ? meta : ''}\n${body}`);
}

// what main.cjs imports statically, transitively: packed into it
const importsOf = (name) => result.metafile.outputs[`dist/bundle/${name}.js`].imports.filter((i) => i.kind === 'import-statement' && !i.external).map((i) => nameOf(i.path));
const packed = new Set();
const pack = (name) => {
  for (const dep of importsOf(name)) {
    if (packed.has(dep)) continue;
    packed.add(dep);
    pack(dep);
  }
};
pack('main');

// Each file is one function expression, the wrapper the loader calls it with included: the loader
// compiles the file's text as it is read, without building a second copy around it.
const WRAPPER = ['(function (exports, require, module, __filename, __dirname, __chunk) {', '\n})'];
const withHeader = (text) => `//certnode-bundle ${createHash('sha256').update(text).digest('hex').slice(0, 16)}\n${WRAPPER[0]}${text}${WRAPPER[1]}`;
// main.cjs only defines (its own code is the factory "main"), so that the ACME chunk can be loaded
// without running the CLI (npm run bench measures it so)
const factories = [...packed, 'main'].sort().map((name) => `${JSON.stringify(name)}:function(exports,require,module,__filename,__dirname,__chunk){${code.get(name)}\n}`);
writeFileSync(join(OUT, 'main.cjs'), withHeader(`"use strict";__chunk.define({${factories.join(',\n')}});`));
for (const [name, text] of code) if (name !== 'main' && !packed.has(name)) writeFileSync(join(OUT, `${name}.cjs`), withHeader(text));

const cjsName = (file) => file.replace(/\.js$/, '.cjs');
const outputs = Object.fromEntries(Object.entries(result.metafile.outputs).map(([file, meta]) => [cjsName(file), { ...meta, packedInto: packed.has(nameOf(file)) ? 'dist/bundle/main.cjs' : undefined }]));
writeFileSync(join(OUT, 'meta.json'), JSON.stringify({ ...result.metafile, outputs }));

/*
 * The code cache (bin/bundle-loader.cjs): main.cjs's entry is written by the first run and holds
 * the functions that run compiled. Left to whichever command comes first (an order, a register)
 * it lacks what help, tables and config reading need, and every later start-up compiles those
 * again. So the build runs a few common commands against a throw-away configuration with
 * CERTNODE_COMPILE_CACHE_TRAIN=1: each rewrites the entries of the files it compiled with what
 * they held plus what it compiled. Commands that load a file the first time still write its entry
 * as usual. (Not shipped: package.json leaves .compile-cache out of the package.)
 */
const trainDir = mkdtempSync(join(tmpdir(), 'certnode-cache-train-'));
try {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: trainDir, LANG: 'C.UTF-8', CERTNODE_CONFIG_DIR: join(trainDir, 'config'), CERTNODE_COMPILE_CACHE_TRAIN: '1' };
  // [arguments, the exit status expected]: renew --check has no certificate to look at here, so
  // it ends in certnode's error (255) after parsing and reading the configuration
  const runs = [
    [['--help'], 0],
    [['acme', 'plugin', 'list'], 0],
    [['config', 'get'], 0],
    [['acme', 'cert', 'renew', '--check'], 255],
  ];
  for (const [args, status] of runs) {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'certnode.js'), ...args], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    if (run.status !== status) throw new Error(`bundle: training run 'certnode ${args.join(' ')}' ended with ${run.status ?? run.signal}, not ${status}: ${run.stderr}`);
  }
} finally {
  rmSync(trainDir, { recursive: true, force: true });
}


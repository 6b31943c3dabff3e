#!/usr/bin/env node
// Launcher: run the built CLI — the bundle (scripts/bundle.mjs, part of npm run build) when it is
// there, else tsc's output. CommonJS (bin/package.json), like the bundle: a start-up that meets no
// ES module never sets up Node's ES module loader. Compiled code is cached: by Node's own compile
// cache where it has one (22.1+), else by compile-cache.cjs for the bundle's files.
'use strict';

const { existsSync } = require('node:fs');
const { join } = require('node:path');

const bundleDir = join(__dirname, '..', 'dist', 'bundle');
const bundle = join(bundleDir, 'main.cjs');
if (existsSync(bundle)) {
  const module = require('node:module');
  const cache = require('./compile-cache.cjs');
  if (typeof module.enableCompileCache === 'function') {
    // Node's own cache, but beside the bundle like ours: its default, a directory in the shared
    // temp dir, is one another local user could create first and fill for root to run
    const cacheDir = join(bundleDir, '.compile-cache');
    if (!process.env.NODE_DISABLE_COMPILE_CACHE && cache.trustedCacheDir(cacheDir)) {
      try {
        module.enableCompileCache(cacheDir);
      } catch {
        // read-only cache dir: run without it
      }
    }
  } else {
    cache.enableBundleCompileCache(bundleDir);
  }
  require(bundle);
} else {
  import('../dist/src/main.js');
}

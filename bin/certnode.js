#!/usr/bin/env node
// Launcher: run the built CLI — the bundle (scripts/bundle.mjs, part of npm run build) through
// bundle-loader.cjs when it is there, else tsc's output. CommonJS (bin/package.json), like the
// bundle: a start-up that meets no ES module never sets up Node's ES module loader.
'use strict';

const { join } = require('node:path');

if (!require('./bundle-loader.cjs').runBundle(join(__dirname, '..', 'dist', 'bundle'), 'main')) import('../dist/src/main.js');

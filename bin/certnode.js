#!/usr/bin/env node
// Launcher: enable the compile cache where Node has one, then run the built CLI — the bundle
// (scripts/bundle.mjs, part of npm run build) when it is there, else tsc's output.
import { existsSync } from 'node:fs';
import module from 'node:module';

try {
  module.enableCompileCache?.();
} catch {
  // older Node or read-only cache dir: run without it
}
const bundle = new URL('../dist/bundle/main.js', import.meta.url);
await import(existsSync(bundle) ? bundle.href : '../dist/src/main.js');

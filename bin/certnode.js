#!/usr/bin/env node
// Launcher: enable the compile cache where Node has one, then run the built CLI.
import module from 'node:module';

try {
  module.enableCompileCache?.();
} catch {
  // older Node or read-only cache dir: run without it
}
await import('../dist/src/main.js');

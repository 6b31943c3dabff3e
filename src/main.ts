// Process entry: run main() with the real context and set the exit code. (No top-level await:
// the bundle turns this module into CommonJS, see scripts/bundle.mjs.)

import { main } from './cli.ts';
import { createSystemContext } from './context.ts';

void main(process.argv.slice(2), createSystemContext()).then((code) => {
  process.exitCode = code;
});

// Process entry: run main() with the real context and set the exit code.

import { main } from './cli.ts';
import { createSystemContext } from './context.ts';

process.exitCode = await main(process.argv.slice(2), createSystemContext());

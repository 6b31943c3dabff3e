#!/usr/bin/env node
// Regenerates man/certnode.1 and share/completion/certnode.bash from the built command tree (npm run man).
import { writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/src/commands/index.js';
import { VERSION } from '../dist/src/cli.js';
import { generateManPage } from '../dist/src/manpage.js';

writeFileSync(new URL('../man/certnode.1', import.meta.url), generateManPage(buildProgram(VERSION, () => {}), VERSION));

const { generateBashCompletion } = await import('../dist/src/completion.js');
writeFileSync(new URL('../share/completion/certnode.bash', import.meta.url), generateBashCompletion(buildProgram(VERSION, () => {})));

#!/usr/bin/env node
// Regenerates man/certnode.1 from the built command tree (npm run man).
import { writeFileSync } from 'node:fs';
import { buildProgram } from '../dist/src/commands/index.js';
import { VERSION } from '../dist/src/cli.js';
import { generateManPage } from '../dist/src/manpage.js';

writeFileSync(new URL('../man/certnode.1', import.meta.url), generateManPage(buildProgram(VERSION, () => {}), VERSION));

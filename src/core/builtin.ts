// Node built-ins loaded when first needed, not at start-up. An `import` of node:net, node:crypto
// or node:tty costs every process a few milliseconds of compiling Node's own modules (most of
// what separates a short command from bare `node`), even when the command never uses them.
// ES modules offer no synchronous lazy import, so this goes through require().

import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

export const lazyNet = (): typeof import('node:net') => load('node:net') as typeof import('node:net');

/** node:crypto (X509Certificate, keys): loading it compiles some forty of Node's own modules, which a not-due renewal does without. */
export const lazyCrypto = (): typeof import('node:crypto') => load('node:crypto') as typeof import('node:crypto');

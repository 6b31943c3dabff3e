// Node built-ins loaded when first needed, not at start-up. An `import` of node:net, node:crypto
// or node:tty costs every process a few milliseconds of compiling Node's own modules (most of
// what separates a short command from bare `node`), even when the command never uses them.
// ES modules offer no synchronous lazy import, so this goes through require() — made on first
// use too (createRequire wants this file's URL: node:url's work at every start-up otherwise).

import { createRequire } from 'node:module';

let load: NodeJS.Require | undefined;

function builtin<T>(id: string): T {
  load ??= createRequire(import.meta.url);
  return load(id) as T;
}

export const lazyNet = (): typeof import('node:net') => builtin<typeof import('node:net')>('node:net');

/** node:crypto (X509Certificate, keys): loading it compiles some forty of Node's own modules, which a not-due renewal does without. */
export const lazyCrypto = (): typeof import('node:crypto') => builtin<typeof import('node:crypto')>('node:crypto');

// signal-exit as proper-lockfile requires it (version 3: `onExit(cb)` is the module), in the bundle
// (scripts/bundle.mjs): signal-exit 4's onExit, which the prompt library brings anyway. Version 3
// loads node:assert at start, and node:assert builds process.stderr (to learn its colours), which
// loads Node's stream modules, and for a pipe node:net - milliseconds of every writing command.
'use strict';

module.exports = require('signal-exit').onExit;

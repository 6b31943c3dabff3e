// graceful-fs as proper-lockfile requires it, in the bundle (scripts/bundle.mjs): Node's own fs.
// certnode hands proper-lockfile its own fs for every lock (src/core/store/lock.ts), so
// graceful-fs would only be loaded - and loading it patches fs and pulls in fs.promises, fs
// streams, readline and more: over a third of what a short writing command (config set) costs.
// Its one job, retrying on EMFILE, does not arise for one lock directory.
'use strict';

module.exports = require('node:fs');

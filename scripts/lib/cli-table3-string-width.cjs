// cli-table3's string-width in the bundle (scripts/bundle.mjs): certnode's own measure
// (src/core/output/text-width.ts, string-width 7 for text beyond ASCII). cli-table3's pinned
// string-width 4 builds emoji-regex's pattern and more when it loads, a few milliseconds of every
// command that prints a table; and the two would measure some characters differently.
'use strict';

module.exports = require('../../src/core/output/text-width.ts').textWidth;

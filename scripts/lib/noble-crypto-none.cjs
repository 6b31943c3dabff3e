// @noble/hashes/crypto in the bundle (scripts/bundle.mjs): no crypto source. noble reaches for one
// only to make random bytes, which certnode never asks it for (src/core/digest.ts uses its
// hashes); its Node variant would load node:crypto - what certnode uses noble to avoid.
'use strict';

exports.crypto = undefined;

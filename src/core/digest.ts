// SHA-256 / SHA-1 hex digests of configuration text (the digests `--digest` takes, PID-space tags).
// @noble/hashes instead of node:crypto: loading node:crypto compiles some forty of Node's own
// modules (its stream modules among them), a few milliseconds of every command that reads
// node.cfg or plugins.cfg - most of them never need anything else from it. In the bundle, noble's
// optional crypto source (for random bytes, unused here) is left out: scripts/bundle.mjs.

import { sha1 } from '@noble/hashes/legacy';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

const bytes = (data: string | Uint8Array): Uint8Array => (typeof data === 'string' ? new TextEncoder().encode(data) : data);

export function sha256Hex(data: string | Uint8Array): string {
  return bytesToHex(sha256(bytes(data)));
}

export function sha1Hex(data: string | Uint8Array): string {
  return bytesToHex(sha1(bytes(data)));
}

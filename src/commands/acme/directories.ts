// certnode acme directories: the known ACME endpoints (name, url).

import { KNOWN_DIRECTORIES } from '../../core/acme/directories.ts';
import type { LeafCommand } from '../command.ts';

export const command: LeafCommand<Record<string, never>> = {
  parse() {
    return {};
  },
  async run() {
    // The text table sorts by name; json keeps the curated order (pvenode's menu first).
    return {
      kind: 'list',
      data: KNOWN_DIRECTORIES.map(({ name, url }) => ({ name, url })),
      columns: [{ key: 'name', always: true }, { key: 'url', always: true }],
    };
  },
};

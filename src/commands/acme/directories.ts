// certnode acme directories: the known ACME CAs (id, name, url, whether EAB is required), in the
// register menu's order in text and JSON alike.

import { KNOWN_DIRECTORIES } from '../../core/acme/directories.ts';
import type { LeafCommand } from '../command.ts';

export const command: LeafCommand<Record<string, never>> = {
  parse() {
    return {};
  },
  async run() {
    return {
      kind: 'list',
      ordered: true,
      data: KNOWN_DIRECTORIES.map(({ id, name, url, eab }) => ({ id, name, url, eab })),
      columns: [{ key: 'id', always: true }, { key: 'name', always: true }, { key: 'url', always: true }, { key: 'eab', always: true }],
    };
  },
};

// certnode acme account info [<name>]: the stored account (account object, directory, key type,
// location, tos) and what its CA offers now (profiles, ARI, key rollover, EAB, terms of service),
// from one plain GET of the directory; an unreachable CA is said in that field, not an error.

import { fetchCaOffers } from '../../../core/acme/ca-offers.ts';
import { accountInfo } from '../../../core/config/account-file.ts';
import { loadAccount } from '../../../core/config/accounts.ts';
import { checkConfigId } from '../../../core/config/formats.ts';
import type { LeafCommand } from '../../command.ts';

export const DEFAULT_ACCOUNT = 'default';

export const command: LeafCommand<{ name: string }> = {
  parse(args) {
    return { name: checkConfigId(args[0] ?? DEFAULT_ACCOUNT, 'name') };
  },
  async run(env, opts) {
    const acc = loadAccount(env.paths, opts.name);
    const offers = await fetchCaOffers(env.ctx, acc.directory);
    return { kind: 'object', data: { ...accountInfo(acc), ca: offers.ok ? offers.offers : `not reachable - ${offers.reason}` } };
  },
};

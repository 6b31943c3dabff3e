// The User-Agent of every request certnode sends to a CA (RFC 8555 §6.1: clients MUST send one;
// Pebble 2.10 refuses requests without). Its own light module: the renewalInfo GET of a not-due
// `renew` uses it without loading the ACME adapter.

import { VERSION } from '../../version.ts';

export const USER_AGENT_PRODUCT = 'certnode';

/** `certnode/<version> node/<version>`. */
export function userAgent(version: string = VERSION): string {
  return `${USER_AGENT_PRODUCT}/${version} node/${process.versions.node}`;
}

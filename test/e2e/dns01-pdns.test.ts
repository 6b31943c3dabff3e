// dns-01 through a real PowerDNS Authoritative server and a script that, like many provider
// scripts, reads the TXT record set and writes the whole set back: certnode must make one
// script call at a time, or apex + wildcard orders lose a value.

import { after, before, describe, test } from 'node:test';
import { startPowerDns, type PowerDns } from '../helpers/pdns.ts';
import { withServerLogs } from '../helpers/dns-server.ts';
import { startPebble, type Pebble } from '../helpers/pebble.ts';
import { orderRepeatedly, overlappingCallsLoseAValue, type RmwSetup } from '../helpers/rmw-orders.ts';

let pdns: PowerDns;
let pebble: Pebble;

before(async () => {
  pdns = await startPowerDns('pdns.test');
  pebble = await startPebble({ authzReuse: 0, nonceReject: 0, dnsServer: pdns.addr });
});
after(async () => {
  await pebble?.stop();
  await pdns?.stop();
});

const setup = (delay = ''): RmwSetup => ({
  pebble,
  dnsAddr: pdns.addr,
  zone: pdns.zone,
  api: 'certnoderrset',
  data: `RRSET_URL=${pdns.apiUrl}\nRRSET_TOKEN=${pdns.apiKey}\nRRSET_ZONE=${pdns.zone}\n${delay}`,
  txt: (name) => pdns.txt(name),
});

const withLogs = (fn: () => Promise<void>) => withServerLogs(() => ({ pdns: pdns.log(), pebble: pebble.log() }), fn);

describe('PowerDNS HTTP API, read-modify-write script', () => {
  test('control: two overlapping calls of the script lose a value or fail', withLogs(() => overlappingCallsLoseAValue(setup(), setup().data + 'RRSET_DELAY=0.5\n')));

  test('20 apex + wildcard orders in a row all succeed and leave no TXT value behind', withLogs(() => orderRepeatedly(setup('RRSET_DELAY=0.05\n'), 20)));
});

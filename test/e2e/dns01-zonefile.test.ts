// dns-01 through a zone file that a script rewrites (read, modify, write, `rndc reload`) for a
// real BIND 9: certnode must make one script call at a time, or one edit overwrites the other.

import { after, before, describe, test } from 'node:test';
import { startBind, type Bind } from '../helpers/bind.ts';
import { withServerLogs } from '../helpers/dns-server.ts';
import { startPebble, type Pebble } from '../helpers/pebble.ts';
import { orderRepeatedly, overlappingCallsLoseAValue, type RmwSetup } from '../helpers/rmw-orders.ts';

let bind: Bind;
let pebble: Pebble;

before(async () => {
  bind = await startBind('zonefile.test', { mode: 'zonefile' });
  pebble = await startPebble({ authzReuse: 0, nonceReject: 0, dnsServer: bind.addr });
});
after(async () => {
  await pebble?.stop();
  await bind?.stop();
});

// the rndc key is root's (0600): the script gets a private copy
const setup = (delay = ''): RmwSetup => ({
  pebble,
  dnsAddr: bind.addr,
  zone: bind.zone,
  api: 'certnodezonefile',
  data: `ZF_FILE=${bind.zoneFile}\nZF_ZONE=${bind.zone}\nZF_RNDC_KEY=${bind.rndcKeyFile}\nZF_RNDC_PORT=${bind.controlPort}\n${delay}`,
  txt: (name) => bind.txt(name),
});

const withLogs = (fn: () => Promise<void>) => withServerLogs(() => ({ named: bind.log(), pebble: pebble.log() }), fn);

describe('BIND zone file, rewritten by the script', () => {
  test('control: two overlapping calls of the script lose an edit or fail', withLogs(() => overlappingCallsLoseAValue(setup(), setup().data + 'ZF_DELAY=0.5\n')));

  test('20 apex + wildcard orders in a row all succeed and leave no TXT value behind', withLogs(() => orderRepeatedly(setup('ZF_DELAY=0.05\n'), 20)));
});

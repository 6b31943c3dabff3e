// The ACME adapter against Pebble: Replay-Nonce reuse (request count) and badNonce survival.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openAcme } from '../../src/core/acme/client.ts';
import { generatePrivateKey } from '../../src/core/acme/keys.ts';
import type { Context } from '../../src/context.ts';
import { AcmeProblemError } from '../../src/core/errors.ts';
import { pebbleFixture } from '../helpers/pebble.ts';

function context(caFile: string): Context {
  // The CA is passed the way a private CA would be: CERTNODE_CA_BUNDLE.
  return {
    io: undefined as never,
    env: { CERTNODE_CA_BUNDLE: caFile },
    now: () => new Date(),
    onInterrupt: () => () => {},
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

describe('nonces are reused from Replay-Nonce', () => {
  const fixture = pebbleFixture({ nonceReject: 0 });
  before(() => fixture.start());
  after(() => fixture.stop());

  test(
    'one HEAD newNonce for a whole session; a deactivated account is refused with the CA detail',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const acme = await openAcme(context(pebble.caFile), { directoryUrl: pebble.directoryUrl, version: 'test' });
      const key = await generatePrivateKey('ec-256');
      const start = await pebble.requestCount();
      const { location } = await acme.createAccount(key, { contact: ['mailto:n@example.com'], termsOfServiceAgreed: true });
      const account = acme.account(key, location);
      await account.update({});
      await account.update({ contact: ['mailto:m@example.com'] });
      const deactivated = await account.deactivate();
      assert.equal(deactivated.status, 'deactivated');
      // GET directory + HEAD newNonce + 4 POSTs: no HEAD before each POST.
      assert.equal(acme.requestCount(), 6);
      assert.equal((await pebble.requestCount()) - start, 6);
      await assert.rejects(account.update({}), (err: unknown) => {
        assert.ok(err instanceof AcmeProblemError);
        assert.equal(err.type, 'urn:ietf:params:acme:error:unauthorized');
        assert.match(err.message, /deactivated/);
        return true;
      });
    }),
  );
});

describe('badNonce is retried', () => {
  const fixture = pebbleFixture({ nonceReject: 20 });
  before(() => fixture.start());
  after(() => fixture.stop());

  test(
    'a session of 40 POSTs succeeds while Pebble rejects 20 % of nonces',
    fixture.withLogs(async () => {
      const pebble = fixture.get();
      const acme = await openAcme(context(pebble.caFile), { directoryUrl: pebble.directoryUrl, version: 'test' });
      const key = await generatePrivateKey('ec-256');
      const { location } = await acme.createAccount(key, { contact: ['mailto:n@example.com'], termsOfServiceAgreed: true });
      const account = acme.account(key, location);
      for (let i = 0; i < 39; i++) await account.update({});
      assert.ok(acme.requestCount() > 42, `expected badNonce retries, saw ${acme.requestCount()} requests for 40 POSTs`);
    }),
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planRetry, problemError, retryAfterSeconds } from '../../src/core/acme/problems.ts';
import { checkDirectory } from '../../src/core/acme/client.ts';

const now = new Date('2025-01-01T00:00:00Z');

test('Retry-After: seconds and HTTP dates', () => {
  assert.equal(retryAfterSeconds('120', now), 120);
  assert.equal(retryAfterSeconds('Wed, 01 Jan 2025 00:01:00 GMT', now), 60);
  assert.equal(retryAfterSeconds('Tue, 31 Dec 2024 00:00:00 GMT', now), 0);
  assert.equal(retryAfterSeconds('soon', now), undefined);
  assert.equal(retryAfterSeconds(undefined, now), undefined);
});

test('planRetry: short waits are slept through, long ones reported, others fail at once', () => {
  const resp = (status: number, retryAfter?: string) => ({ status, headers: retryAfter ? { 'retry-after': retryAfter } : {}, data: {} });
  assert.deepEqual(planRetry(resp(429, '3'), 0, 2, now), { action: 'retry', waitMs: 3000 });
  assert.deepEqual(planRetry(resp(503), 0, 2, now), { action: 'retry', waitMs: 1000 });
  assert.deepEqual(planRetry(resp(429, '10800'), 0, 2, now), { action: 'fail', retryAt: new Date('2025-01-01T03:00:00Z') });
  assert.deepEqual(planRetry(resp(429, '5'), 2, 2, now), { action: 'fail', retryAt: new Date('2025-01-01T00:00:05Z') });
  assert.deepEqual(planRetry(resp(400), 0, 2, now), { action: 'fail' });
  assert.deepEqual(planRetry(resp(403, '5'), 0, 2, now), { action: 'fail' });
});

test('problem documents become one-line typed errors with the CA detail', () => {
  const err = problemError(
    {
      status: 400,
      headers: {},
      data: {
        type: 'urn:ietf:params:acme:error:rejectedIdentifier',
        detail: 'Error creating new order\n:: some names rejected',
        subproblems: [{ type: 'urn:ietf:params:acme:error:rejectedIdentifier', detail: 'forbidden', identifier: { type: 'dns', value: 'x.example' } }],
      },
    },
    'https://ca/new-order',
  );
  assert.equal(err.message, 'Error creating new order :: some names rejected (x.example: forbidden)');
  assert.equal(err.type, 'urn:ietf:params:acme:error:rejectedIdentifier');
  assert.equal(err.status, 400);
  assert.deepEqual(err.subproblems[0]?.identifier, { type: 'dns', value: 'x.example' });

  const limited = problemError({ status: 429, headers: {}, data: { type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many' } }, 'u', new Date('2025-01-01T03:00:00Z'));
  assert.equal(limited.message, 'too many - the CA asks to retry after 2025-01-01T03:00:00Z; try again then');
  assert.equal(problemError({ status: 502, headers: {}, data: '<html>' }, 'https://ca/x').message, "HTTP 502 from 'https://ca/x'");
});

test('a directory needs newAccount, newNonce and newOrder', () => {
  assert.throws(() => checkDirectory('https://x/dir', { hello: 'world' }), { message: "'https://x/dir' is not an ACME directory (no newAccount/newNonce/newOrder)" });
  assert.throws(() => checkDirectory('https://x/dir', '<html>'), /is not an ACME directory/);
  assert.equal(checkDirectory('u', { newAccount: 'a', newNonce: 'n', newOrder: 'o' }).newOrder, 'o');
});

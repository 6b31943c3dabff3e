import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor, type Poll } from '../../src/core/wait.ts';

function fakeClock() {
  let t = 0;
  const slept: number[] = [];
  return { now: () => t, sleep: async (ms: number) => { slept.push(ms); t += ms; }, slept };
}

test('waitFor: short first intervals, then backs off; returns the value', async () => {
  const clock = fakeClock();
  let calls = 0;
  const value = await waitFor({ what: 'x', timeoutMs: 60_000, ...clock }, async (): Promise<Poll<string>> => (++calls === 6 ? { done: true, value: 'ok' } : { done: false, status: 'pending' }));
  assert.equal(value, 'ok');
  assert.deepEqual(clock.slept, [250, 250, 500, 500, 1000]);
});

test('waitFor: honours Retry-After, capped', async () => {
  const clock = fakeClock();
  let calls = 0;
  const told: [number, number][] = [];
  await waitFor({ what: 'x', timeoutMs: 60_000, maxRetryAfterMs: 5000, ...clock, onRetryAfter: (asked, wait) => told.push([asked, wait]) }, async (): Promise<Poll<null>> =>
    ++calls === 3 ? { done: true, value: null } : { done: false, status: 'processing', retryAfterMs: calls === 1 ? 2000 : 3_600_000 },
  );
  assert.deepEqual(clock.slept, [2000, 5000]);
  assert.deepEqual(told, [[2000, 2000], [3_600_000, 5000]], 'each Retry-After is reported with the wait it set');
});

test('waitFor: gives up at the bound and says what it waited for and the last status', async () => {
  const clock = fakeClock();
  await assert.rejects(
    waitFor({ what: 'authorization of a.example.com', timeoutMs: 10_000, ...clock }, async (): Promise<Poll<null>> => ({ done: false, status: 'pending' })),
    { message: 'gave up after 10 s waiting for authorization of a.example.com (last status: pending)' },
  );
  assert.ok(clock.now() <= 10_000);
});

test('the order\'s validation looks (VALIDATION_POLL_MS): 3 looks cover a CA that validates within a second (2N+8 requests), then every 2 s', async () => {
  const { VALIDATION_POLL_MS } = await import('../../src/core/acme/order.ts');
  /** Looks the schedule makes at a CA that has validated `validatedAtMs` after the challenges were triggered (fake clock). */
  const looks = async (validatedAtMs: number) => {
    const clock = fakeClock();
    let calls = 0;
    const opts = { what: 'x', timeoutMs: 600_000, initialDelayMs: VALIDATION_POLL_MS.first, intervalsMs: VALIDATION_POLL_MS.intervals, ...clock };
    await waitFor(opts, async (): Promise<Poll<null>> => (++calls, clock.now() >= validatedAtMs ? { done: true, value: null } : { done: false, status: 'pending' }));
    return { calls, at: clock.now() };
  };
  assert.deepEqual(await looks(0), { calls: 1, at: 100 });
  assert.deepEqual(await looks(100), { calls: 1, at: 100 });
  assert.deepEqual(await looks(101), { calls: 2, at: 400 });
  assert.deepEqual(await looks(1000), { calls: 3, at: 1000 });
  assert.deepEqual(await looks(1001), { calls: 4, at: 2000 });
  assert.deepEqual(await looks(10_000), { calls: 8, at: 10_000 });
});

/**
 * A fake clock whose sleeps can be cut short by a wake that "happens" at `wakeAt` (the way the
 * standalone listener says the CA has fetched every token).
 */
function wakingClock(wakeAt: number) {
  const clock = fakeClock();
  let settle!: () => void;
  const wake = new Promise<void>((resolve) => (settle = resolve));
  let t = 0;
  const sleep = async (ms: number, w?: Promise<unknown>) => {
    if (w === wake && wakeAt < t + ms) {
      clock.slept.push(Math.max(0, wakeAt - t));
      t = Math.max(t, wakeAt);
      settle();
      await wake;
      return;
    }
    clock.slept.push(ms);
    t += ms;
  };
  return { now: () => t, sleep, slept: clock.slept, wake };
}

test('the validation looks with a wake (standalone http-01: every token fetched): one look moves up, the later ones keep their times', async () => {
  const { VALIDATION_POLL_MS } = await import('../../src/core/acme/order.ts');
  const looks = async (wakeAt: number, validatedAtMs: number, retryAfterMs?: number) => {
    const clock = wakingClock(wakeAt);
    const at: number[] = [];
    const opts = { what: 'x', timeoutMs: 600_000, initialDelayMs: VALIDATION_POLL_MS.first, intervalsMs: VALIDATION_POLL_MS.intervals, ...clock };
    await waitFor(opts, async (): Promise<Poll<null>> => {
      at.push(clock.now());
      if (clock.now() >= validatedAtMs) return { done: true, value: null };
      return { done: false, status: 'pending', ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    });
    return at;
  };
  // validated by the time the CA has fetched everything: one look, right then
  assert.deepEqual(await looks(12, 12), [12]);
  // not yet: the next looks at 400 and 1000 ms as without the wake (at most 3 within a second: 2N+8)
  assert.deepEqual(await looks(12, 150), [12, 400]);
  assert.deepEqual(await looks(12, 1000), [12, 400, 1000]);
  assert.deepEqual(await looks(12, 1001), [12, 400, 1000, 2000]);
  // a wake after the first look moves the second one up, once
  assert.deepEqual(await looks(250, 250), [100, 250]);
  assert.deepEqual(await looks(250, 900), [100, 250, 1000]);
  // no wake before 100 ms: the plain schedule
  assert.deepEqual(await looks(5000, 1000), [100, 400, 1000]);
  // a CA's Retry-After is not cut short by a wake
  assert.deepEqual(await looks(300, 2500, 2000), [100, 2100, 4100]);
});

test('the issuance looks (ISSUANCE_POLL_MS): an early look only when validation left a spare one, and a CA issuing within 100 ms costs 2 looks at most', async () => {
  const { ISSUANCE_POLL_MS } = await import('../../src/core/acme/order.ts');
  const { DEFAULT_INTERVALS_MS } = await import('../../src/core/wait.ts');
  const looks = async (issuedAtMs: number) => {
    const clock = fakeClock();
    const at: number[] = [];
    const opts = { what: 'x', timeoutMs: 600_000, initialDelayMs: ISSUANCE_POLL_MS.early, intervalsMs: [ISSUANCE_POLL_MS.first - ISSUANCE_POLL_MS.early, ...DEFAULT_INTERVALS_MS], ...clock };
    await waitFor(opts, async (): Promise<Poll<null>> => (at.push(clock.now()), clock.now() >= issuedAtMs ? { done: true, value: null } : { done: false, status: 'processing' }));
    return at;
  };
  assert.deepEqual(await looks(5), [10]);
  assert.deepEqual(await looks(100), [10, 100]);
  assert.deepEqual(await looks(101), [10, 100, 350], 'then the plain schedule after the 100 ms look');
});

// store.ts states lock.ts's timings itself (so that reading never loads the lock library); they
// must stay lock.ts's.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as lock from '../../src/core/store/lock.ts';
import * as store from '../../src/core/store/store.ts';

test("store.ts's lock timings are lock.ts's", () => {
  assert.equal(store.LOCK_STALE_MS, lock.LOCK_STALE_MS);
  assert.equal(store.LOCK_WAIT_MS, lock.LOCK_WAIT_MS);
});

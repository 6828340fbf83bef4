import assert from 'node:assert/strict';
import type { Suite } from './suite.js';
import { LONG_TTL, readAfterShortTtl, SHORT_TTL, sameSlot, waitUntilMissing } from './support.js';
import { waitFor } from './wait.js';

/** Expiry, in milliseconds, and how writes replace a key's TTL. No fake timers: real clocks. */
export function registerTtlCases(suite: Suite): void {
  suite.group('ttl', () => {
    suite.test('a value set with a long TTL is there right after set', async (store, p) => {
      await store.set(`${p}a`, 'A', LONG_TTL);
      assert.equal(await store.get(`${p}a`), 'A');
      assert.deepEqual(await store.getMany([`${p}a`]), ['A']);
    });

    suite.test('a value is gone once its TTL has passed', async (store, p) => {
      const started = Date.now();
      await store.set(`${p}a`, 'A', 80);
      const early = await store.get(`${p}a`);
      // Only a read well inside the TTL may insist on the value (a loaded machine can be slow).
      if (Date.now() - started < 40) assert.equal(early, 'A', 'gone long before its 80 ms TTL');
      await waitUntilMissing(store, `${p}a`);
      assert.deepEqual(await store.getMany([`${p}a`]), [undefined]);
    });

    suite.test('takes the TTL in milliseconds (not rounded up to seconds)', async (store, p) => {
      await store.set(`${p}a`, 'A', 100);
      await waitFor(async () => (await store.get(`${p}a`)) === undefined, {
        timeout: 900,
        message: 'a 100 ms TTL to expire within 900 ms',
      });
    });

    suite.test('accepts a TTL of 1 ms', async (store, p) => {
      await store.set(`${p}a`, 'A', 1);
      await waitUntilMissing(store, `${p}a`);
    });

    suite.test('accepts a TTL beyond 2^31 ms (about 25 days)', async (store, p) => {
      const ttl = 40 * 24 * 60 * 60 * 1000;
      await store.set(`${p}a`, 'A', ttl);
      await store.setMany([{ key: `${p}b`, value: 'B', ttl }]);
      assert.equal(await readAfterShortTtl(store, `${p}a`), 'A');
      assert.equal(await store.get(`${p}b`), 'B');
    });

    suite.test('overwriting with a longer TTL replaces the short one', async (store, p) => {
      await store.set(`${p}a`, 'short', SHORT_TTL);
      await store.set(`${p}a`, 'long', LONG_TTL);
      assert.equal(await readAfterShortTtl(store, `${p}a`), 'long');
    });

    suite.test('overwriting with a shorter TTL replaces the long one', async (store, p) => {
      await store.set(`${p}a`, 'long', LONG_TTL);
      await store.set(`${p}a`, 'short', SHORT_TTL);
      await waitUntilMissing(store, `${p}a`);
    });

    suite.test('setMany honours each entry’s own TTL', async (store, p) => {
      // One hash slot, so that the comparison holds even if cluster nodes' clocks differ.
      const [first, short, last] = [
        sameSlot(p, 'first'),
        sameSlot(p, 'short'),
        sameSlot(p, 'last'),
      ];
      await store.setMany([
        { key: first, value: 'first', ttl: LONG_TTL },
        { key: short, value: 'short', ttl: SHORT_TTL },
        { key: last, value: 'last', ttl: LONG_TTL },
      ]);
      await waitUntilMissing(store, short);
      assert.deepEqual(await store.getMany([first, short, last]), ['first', undefined, 'last']);
    });

    suite.test('setMany replaces the TTL of existing keys', async (store, p) => {
      await store.set(`${p}a`, 'short', SHORT_TTL);
      await store.setMany([{ key: `${p}a`, value: 'long', ttl: LONG_TTL }]);
      assert.equal(await readAfterShortTtl(store, `${p}a`), 'long');
    });

    suite.test('delete does not count a key that has expired', async (store, p) => {
      const [live, expired] = [sameSlot(p, 'live'), sameSlot(p, 'expired')];
      await store.set(live, 'live', LONG_TTL);
      await store.set(expired, 'expired', SHORT_TTL);
      // Wait on a sentinel set later, not on `expired` itself: a read would remove it lazily.
      const sentinel = sameSlot(p, 'sentinel');
      await store.set(sentinel, 'sentinel', SHORT_TTL);
      await waitUntilMissing(store, sentinel);
      assert.equal(await store.delete([live, expired]), 1);
    });
  });
}

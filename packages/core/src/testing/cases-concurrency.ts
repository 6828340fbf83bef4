import assert from 'node:assert/strict';
import type { Suite } from './suite.js';
import { entriesFor, LONG_TTL, manyKeys } from './support.js';

/** Many calls in flight at once: each gets its own answer. */
export function registerConcurrencyCases(suite: Suite): void {
  suite.group('concurrency', () => {
    suite.test('200 parallel set+get pairs each read their own value', async (store, p) => {
      const reads = await Promise.all(
        Array.from({ length: 200 }, async (_, i) => {
          await store.set(`${p}k${i}`, `value-${i}`, LONG_TTL);
          return store.get(`${p}k${i}`);
        }),
      );
      reads.forEach((read, i) => {
        assert.equal(read, `value-${i}`, `pair ${i} read another pair's value`);
      });
    });

    suite.test('parallel setMany and getMany batches do not mix', async (store, p) => {
      const batches = Array.from({ length: 20 }, (_, b) => manyKeys(p, 25, `b${b}:`));
      const reads = await Promise.all(
        batches.map(async (keys, b) => {
          await store.setMany(keys.map((key, i) => ({ key, value: `${b}/${i}`, ttl: LONG_TTL })));
          return store.getMany(keys);
        }),
      );
      reads.forEach((values, b) => {
        assert.deepEqual(
          values,
          batches[b]?.map((_, i) => `${b}/${i}`),
          `batch ${b}`,
        );
      });
    });

    suite.test('parallel writes to one key leave one of the written values', async (store, p) => {
      const written = Array.from({ length: 50 }, (_, i) => `value-${i}`);
      await Promise.all(written.map((value) => store.set(`${p}a`, value, LONG_TTL)));
      const read = await store.get(`${p}a`);
      assert.ok(read !== undefined && written.includes(read), `read ${String(read)}`);
    });

    suite.test(
      'parallel deletes of the same keys count each key once in total',
      async (store, p) => {
        const keys = manyKeys(p, 40);
        await store.setMany(entriesFor(keys));
        const counts = await Promise.all(Array.from({ length: 5 }, () => store.delete(keys)));
        assert.equal(
          counts.reduce((a, b) => a + b, 0),
          40,
        );
      },
    );
  });
}

import assert from 'node:assert/strict';
import { ABSENT_GENERATION } from '../store.js';
import type { Suite } from './suite.js';
import {
  assertIncreasing,
  LONG_TTL,
  readAfterShortTtl,
  SHORT_TTL,
  waitUntilMissing,
} from './support.js';

/** bumpGenerations: values never held before, per-key order, TTLs, concurrency. */
export function registerGenerationCases(suite: Suite): void {
  suite.group('bumpGenerations', () => {
    suite.test('moves a missing key to a decimal generation other than "0"', async (store, p) => {
      const [generation] = await store.bumpGenerations([`${p}g`], LONG_TTL);
      assert.equal(typeof generation, 'string');
      assert.notEqual(generation, ABSENT_GENERATION);
      assertIncreasing([ABSENT_GENERATION, generation as string]);
    });

    suite.test('returns strictly increasing generations across calls', async (store, p) => {
      const seen: string[] = [];
      for (let i = 0; i < 5; i++) {
        const [generation] = await store.bumpGenerations([`${p}g`], LONG_TTL);
        seen.push(generation as string);
      }
      assertIncreasing(seen);
    });

    suite.test('bumps several keys at once, one generation each, in order', async (store, p) => {
      const keys = [`${p}g1`, `${p}{other}g2`, `${p}g3`];
      const [before] = await store.bumpGenerations([`${p}g3`], LONG_TTL);
      const generations = await store.bumpGenerations(keys, LONG_TTL);
      assert.equal(generations.length, 3);
      assert.deepEqual(await store.getMany(keys), generations);
      assertIncreasing([before as string, generations[2] as string]);
    });

    suite.test('resolves to [] for no keys', async (store) => {
      assert.deepEqual(await store.bumpGenerations([], LONG_TTL), []);
    });

    suite.test('a generation reads back through get and getMany', async (store, p) => {
      const [generation] = await store.bumpGenerations([`${p}g`], LONG_TTL);
      assert.equal(await store.get(`${p}g`), generation);
      assert.deepEqual(await store.getMany([`${p}missing`, `${p}g`]), [undefined, generation]);
    });

    suite.test('a generation key expires after its TTL', async (store, p) => {
      await store.bumpGenerations([`${p}g`], SHORT_TTL);
      await waitUntilMissing(store, `${p}g`);
    });

    suite.test('bumping again replaces the TTL', async (store, p) => {
      await store.bumpGenerations([`${p}g`], SHORT_TTL);
      const [generation] = await store.bumpGenerations([`${p}g`], LONG_TTL);
      assert.equal(await readAfterShortTtl(store, `${p}g`), generation);
    });

    suite.test(
      'after expiry, a new generation is still one never held before',
      async (store, p) => {
        const [first] = await store.bumpGenerations([`${p}g`], SHORT_TTL);
        await waitUntilMissing(store, `${p}g`);
        const [second] = await store.bumpGenerations([`${p}g`], LONG_TTL);
        assertIncreasing([first as string, second as string]);
      },
    );

    suite.test('50 concurrent bumps of one key yield 50 distinct generations', async (store, p) => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => store.bumpGenerations([`${p}g`], LONG_TTL)),
      );
      const generations = results.map((result) => {
        assert.equal(result.length, 1);
        return result[0] as string;
      });
      assert.equal(new Set(generations).size, 50, 'two concurrent bumps returned the same value');
      const highest = generations.reduce((a, b) => (BigInt(b) > BigInt(a) ? b : a));
      assert.equal(await store.get(`${p}g`), highest);
    });

    suite.test('bumps of different keys do not disturb each other', async (store, p) => {
      const [a1] = await store.bumpGenerations([`${p}a`], LONG_TTL);
      const [b1] = await store.bumpGenerations([`${p}b`], LONG_TTL);
      assert.equal(await store.get(`${p}a`), a1);
      const [a2] = await store.bumpGenerations([`${p}a`], LONG_TTL);
      assert.deepEqual(await store.getMany([`${p}a`, `${p}b`]), [a2, b1]);
    });
  });
}

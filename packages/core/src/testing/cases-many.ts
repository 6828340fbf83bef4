import assert from 'node:assert/strict';
import type { Suite } from './suite.js';
import { entriesFor, LONG_TTL, manyKeys } from './support.js';

/** getMany, setMany and delete: order, missing slots, empty input, duplicates, many slots. */
export function registerManyCases(suite: Suite): void {
  suite.group('getMany', () => {
    suite.test('returns values in the order of the keys asked for', async (store, p) => {
      await store.setMany(entriesFor([`${p}a`, `${p}b`, `${p}c`]));
      assert.deepEqual(await store.getMany([`${p}c`, `${p}a`, `${p}b`]), [
        'value-2',
        'value-0',
        'value-1',
      ]);
    });

    suite.test('returns undefined (not null) for missing keys, in place', async (store, p) => {
      await store.setMany(entriesFor([`${p}a`, `${p}b`]));
      const values = await store.getMany([`${p}x`, `${p}a`, `${p}y`, `${p}b`, `${p}z`]);
      assert.deepEqual(values, [undefined, 'value-0', undefined, 'value-1', undefined]);
    });

    suite.test('resolves to [] for no keys', async (store) => {
      assert.deepEqual(await store.getMany([]), []);
    });

    suite.test('answers every position of a key listed twice', async (store, p) => {
      await store.set(`${p}a`, 'A', LONG_TTL);
      const values = await store.getMany([`${p}a`, `${p}a`, `${p}missing`, `${p}missing`, `${p}a`]);
      assert.deepEqual(values, ['A', 'A', undefined, undefined, 'A']);
    });

    suite.test('reads 200 keys spread over many hash slots, in order', async (store, p) => {
      const keys = manyKeys(p, 200);
      await store.setMany(entriesFor(keys));
      const asked = [...keys].reverse();
      asked.splice(100, 0, `${p}missing`);
      const values = await store.getMany(asked);
      assert.equal(values.length, 201);
      assert.equal(values[100], undefined);
      values.splice(100, 1);
      assert.deepEqual(values, keys.map((_, i) => `value-${i}`).reverse());
    });
  });

  suite.group('setMany', () => {
    suite.test('accepts an empty list', async (store) => {
      await store.setMany([]);
    });

    suite.test('stores 500 entries spread over many hash slots', async (store, p) => {
      const keys = manyKeys(p, 500);
      await store.setMany(entriesFor(keys));
      assert.deepEqual(
        await store.getMany(keys),
        keys.map((_, i) => `value-${i}`),
      );
      assert.equal(await store.get(`${p}k499`), 'value-499');
    });

    suite.test('replaces existing values', async (store, p) => {
      await store.setMany(entriesFor([`${p}a`, `${p}b`]));
      await store.setMany([
        { key: `${p}b`, value: 'new-b', ttl: LONG_TTL },
        { key: `${p}c`, value: 'new-c', ttl: LONG_TTL },
      ]);
      assert.deepEqual(await store.getMany([`${p}a`, `${p}b`, `${p}c`]), [
        'value-0',
        'new-b',
        'new-c',
      ]);
    });

    suite.test(
      'stores {hash tag} keys of one slot and of several slots together',
      async (store, p) => {
        const keys = [`${p}{t1}a`, `${p}{t1}b`, `${p}{t2}a`, `${p}{t3}a`, `${p}plain`];
        await store.setMany(entriesFor(keys));
        assert.deepEqual(
          await store.getMany(keys),
          keys.map((_, i) => `value-${i}`),
        );
      },
    );
  });

  suite.group('delete', () => {
    suite.test('deletes one key and resolves to 1', async (store, p) => {
      await store.set(`${p}a`, 'A', LONG_TTL);
      assert.equal(await store.delete([`${p}a`]), 1);
      assert.equal(await store.get(`${p}a`), undefined);
    });

    suite.test('deletes several keys and counts only those that existed', async (store, p) => {
      await store.setMany(entriesFor([`${p}a`, `${p}b`, `${p}c`]));
      assert.equal(await store.delete([`${p}a`, `${p}missing`, `${p}c`]), 2);
      assert.deepEqual(await store.getMany([`${p}a`, `${p}b`, `${p}c`]), [
        undefined,
        'value-1',
        undefined,
      ]);
    });

    suite.test('resolves to 0 for a missing key', async (store, p) => {
      assert.equal(await store.delete([`${p}missing`]), 0);
    });

    suite.test('resolves to 0 for no keys', async (store) => {
      assert.equal(await store.delete([]), 0);
    });

    suite.test('counts a key listed twice once', async (store, p) => {
      await store.set(`${p}a`, 'A', LONG_TTL);
      assert.equal(await store.delete([`${p}a`, `${p}a`]), 1);
      assert.equal(await store.get(`${p}a`), undefined);
    });

    suite.test('deletes 200 keys spread over many hash slots', async (store, p) => {
      const keys = manyKeys(p, 200);
      await store.setMany(entriesFor(keys));
      assert.equal(await store.delete([...keys, `${p}missing`]), 200);
      const values = await store.getMany(keys);
      assert.ok(
        values.every((value) => value === undefined),
        `${values.filter((value) => value !== undefined).length} keys survived delete`,
      );
    });

    suite.test('deletes a key so that it can be set again', async (store, p) => {
      await store.set(`${p}a`, 'first', LONG_TTL);
      await store.delete([`${p}a`]);
      await store.set(`${p}a`, 'second', LONG_TTL);
      assert.equal(await store.get(`${p}a`), 'second');
    });
  });
}

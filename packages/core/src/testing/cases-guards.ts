import assert from 'node:assert/strict';
import { ABSENT_GENERATION } from '../store.js';
import type { Suite } from './suite.js';
import { LONG_TTL, SHORT_TTL, sameSlot, waitUntilMissing } from './support.js';

const absent = (key: string) => ({ key, generation: ABSENT_GENERATION });

/** setIfGenerations: writes only while every guard holds, in the key's slot and elsewhere. */
export function registerGuardCases(suite: Suite): void {
  suite.group('setIfGenerations', () => {
    suite.test('a "0" guard on a missing generation key writes', async (store, p) => {
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, [absent(`${p}g`)]), true);
      assert.equal(await store.get(`${p}a`), 'A');
    });

    suite.test('a stale guard refuses and leaves the previous value intact', async (store, p) => {
      await store.set(`${p}a`, 'previous', LONG_TTL);
      const [stale] = await store.bumpGenerations([`${p}g`], LONG_TTL);
      await store.bumpGenerations([`${p}g`], LONG_TTL);
      const guards = [{ key: `${p}g`, generation: stale as string }];
      assert.equal(await store.setIfGenerations(`${p}a`, 'stale', LONG_TTL, guards), false);
      assert.equal(await store.get(`${p}a`), 'previous');
    });

    suite.test('a "0" guard refuses once the key was bumped, writing nothing', async (store, p) => {
      await store.bumpGenerations([`${p}g`], LONG_TTL);
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, [absent(`${p}g`)]), false);
      assert.equal(await store.get(`${p}a`), undefined);
    });

    suite.test('the current generation writes, replacing the value', async (store, p) => {
      await store.set(`${p}a`, 'previous', LONG_TTL);
      const [current] = await store.bumpGenerations([`${p}g`], LONG_TTL);
      const guards = [{ key: `${p}g`, generation: current as string }];
      assert.equal(await store.setIfGenerations(`${p}a`, 'fresh', LONG_TTL, guards), true);
      assert.equal(await store.get(`${p}a`), 'fresh');
    });

    suite.test('a generation read back with get works as a guard', async (store, p) => {
      await store.bumpGenerations([`${p}g`], LONG_TTL);
      const read = await store.get(`${p}g`);
      assert.notEqual(read, undefined);
      const guards = [{ key: `${p}g`, generation: read as string }];
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, guards), true);
    });

    suite.test('several guards with one mismatch refuse', async (store, p) => {
      const [g1, g2] = await store.bumpGenerations([`${p}g1`, `${p}g2`], LONG_TTL);
      await store.bumpGenerations([`${p}g2`], LONG_TTL);
      const guards = [
        { key: `${p}g1`, generation: g1 as string },
        absent(`${p}g0`),
        { key: `${p}g2`, generation: g2 as string },
      ];
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, guards), false);
      assert.equal(await store.get(`${p}a`), undefined);
    });

    suite.test('several guards that all hold write', async (store, p) => {
      const [g1, g2] = await store.bumpGenerations([`${p}g1`, `${p}g2`], LONG_TTL);
      const guards = [
        { key: `${p}g1`, generation: g1 as string },
        absent(`${p}g0`),
        { key: `${p}g2`, generation: g2 as string },
      ];
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, guards), true);
      assert.equal(await store.get(`${p}a`), 'A');
    });

    suite.test('no guards: writes', async (store, p) => {
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, []), true);
      assert.equal(await store.get(`${p}a`), 'A');
    });

    suite.test('honours the TTL of the write', async (store, p) => {
      await store.set(`${p}a`, 'previous', LONG_TTL);
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', SHORT_TTL, [absent(`${p}g`)]), true);
      await waitUntilMissing(store, `${p}a`);
    });

    suite.test('a guard in the key’s hash slot ({key}:g) is checked', async (store, p) => {
      const key = `${p}a`;
      const guardKey = sameSlot(key, ':g');
      assert.equal(await store.setIfGenerations(key, 'one', LONG_TTL, [absent(guardKey)]), true);
      const [current] = await store.bumpGenerations([guardKey], LONG_TTL);
      assert.equal(await store.setIfGenerations(key, 'two', LONG_TTL, [absent(guardKey)]), false);
      assert.equal(await store.get(key), 'one');
      const guards = [{ key: guardKey, generation: current as string }];
      assert.equal(await store.setIfGenerations(key, 'three', LONG_TTL, guards), true);
      assert.equal(await store.get(key), 'three');
    });

    suite.test('guards in other hash slots are checked', async (store, p) => {
      const key = `${p}a`;
      const [local, other] = [sameSlot(key, ':g'), `${p}{elsewhere}:g`];
      const [g1, g2] = await store.bumpGenerations([local, other], LONG_TTL);
      const guards = [
        { key: local, generation: g1 as string },
        { key: other, generation: g2 as string },
        absent(`${p}{third}:g`),
      ];
      assert.equal(await store.setIfGenerations(key, 'one', LONG_TTL, guards), true);
      await store.bumpGenerations([other], LONG_TTL);
      assert.equal(await store.setIfGenerations(key, 'two', LONG_TTL, guards), false);
      assert.equal(await store.get(key), 'one');
    });

    suite.test('an expired generation key reads as "0" again', async (store, p) => {
      const [old] = await store.bumpGenerations([`${p}g`], SHORT_TTL);
      await waitUntilMissing(store, `${p}g`);
      const stale = [{ key: `${p}g`, generation: old as string }];
      assert.equal(await store.setIfGenerations(`${p}a`, 'stale', LONG_TTL, stale), false);
      assert.equal(await store.setIfGenerations(`${p}a`, 'A', LONG_TTL, [absent(`${p}g`)]), true);
      assert.equal(await store.get(`${p}a`), 'A');
    });

    suite.testIf(
      'atomicGuards',
      'a write racing an invalidation in its slot never outlives it',
      async (store, p) => {
        for (let round = 0; round < 50; round++) {
          const key = `${p}r${round}`;
          const guardKey = sameSlot(key, ':g');
          const [seen] = await store.bumpGenerations([guardKey], LONG_TTL);
          const guards = [{ key: guardKey, generation: seen as string }];
          // The invalidation bumps, then deletes: a write checked before the bump but landing
          // after the delete would survive it, which an atomic check-and-write rules out.
          await Promise.all([
            store.setIfGenerations(key, 'stale', LONG_TTL, guards),
            store.bumpGenerations([guardKey], LONG_TTL).then(() => store.delete([key])),
          ]);
          assert.equal(await store.get(key), undefined, `round ${round}: a stale write survived`);
        }
      },
    );
  });
}

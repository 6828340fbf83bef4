import assert from 'node:assert/strict';
import { ABSENT_GENERATION } from '../store.js';
import type { Suite } from './suite.js';
import { assertIncreasing, LONG_TTL, SHORT_TTL, waitUntilMissing } from './support.js';

/** invalidate and replace: a generation bump and a delete or write, in one step. */
export function registerInvalidateCases(suite: Suite): void {
  suite.group('invalidate / replace', () => {
    suite.test('invalidate bumps each generation and deletes each entry', async (store, p) => {
      const entries = [
        { key: `${p}a`, generationKey: `{${p}a}:g` },
        { key: `${p}b`, generationKey: `{${p}b}:g` },
        { key: `${p}missing`, generationKey: `{${p}missing}:g` },
      ];
      await store.setMany([
        { key: `${p}a`, value: '1', ttl: LONG_TTL },
        { key: `${p}b`, value: '2', ttl: LONG_TTL },
      ]);
      const [before] = await store.bumpGenerations([`{${p}a}:g`], LONG_TTL);
      assert.equal(await store.invalidate(entries, LONG_TTL), 2);
      assert.deepEqual(await store.getMany([`${p}a`, `${p}b`, `${p}missing`]), [
        undefined,
        undefined,
        undefined,
      ]);
      const generations = await store.getMany(entries.map((entry) => entry.generationKey));
      for (const generation of generations)
        assert.notEqual(generation ?? ABSENT_GENERATION, ABSENT_GENERATION);
      assertIncreasing([before as string, generations[0] as string]);
    });

    suite.test(
      'invalidate spreads over many slots and resolves to 0 for none',
      async (store, p) => {
        const entries = Array.from({ length: 60 }, (_, i) => ({
          key: `${p}k${i}`,
          generationKey: `{${p}k${i}}:g`,
        }));
        await store.setMany(
          entries.map((entry) => ({ key: entry.key, value: 'v', ttl: LONG_TTL })),
        );
        assert.equal(await store.invalidate(entries, LONG_TTL), 60);
        assert.equal(
          (await store.getMany(entries.map((entry) => entry.key))).filter(Boolean).length,
          0,
        );
        assert.equal(await store.invalidate([], LONG_TTL), 0);
      },
    );

    suite.test('a guarded write taken before invalidate is refused after it', async (store, p) => {
      const generationKey = `{${p}k}:g`;
      const [seen] = await store.getMany([generationKey]);
      await store.invalidate([{ key: `${p}k`, generationKey }], LONG_TTL);
      const written = await store.setIfGenerations(`${p}k`, 'stale', LONG_TTL, [
        { key: generationKey, generation: seen ?? ABSENT_GENERATION },
      ]);
      assert.equal(written, false);
      assert.equal(await store.get(`${p}k`), undefined);
    });

    suite.test('the generation of invalidate expires with its TTL', async (store, p) => {
      await store.invalidate([{ key: `${p}k`, generationKey: `{${p}k}:g` }], SHORT_TTL);
      await waitUntilMissing(store, `{${p}k}:g`);
    });

    suite.test(
      'replace bumps the generation and writes the entry with its TTL',
      async (store, p) => {
        const generationKey = `{${p}k}:g`;
        const [seen] = await store.getMany([generationKey]);
        await store.replace(`${p}k`, 'new', LONG_TTL, generationKey, LONG_TTL);
        assert.equal(await store.get(`${p}k`), 'new');
        const [after] = await store.getMany([generationKey]);
        assertIncreasing([seen ?? ABSENT_GENERATION, after as string]);
        const stale = await store.setIfGenerations(`${p}k`, 'stale', LONG_TTL, [
          { key: generationKey, generation: seen ?? ABSENT_GENERATION },
        ]);
        assert.equal(stale, false);
        assert.equal(await store.get(`${p}k`), 'new');
        await store.replace(`${p}short`, 'v', SHORT_TTL, `{${p}short}:g`, LONG_TTL);
        await waitUntilMissing(store, `${p}short`);
      },
    );
  });
}

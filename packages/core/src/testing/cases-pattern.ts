import assert from 'node:assert/strict';
import type { Store } from '../store.js';
import type { Suite } from './suite.js';
import {
  entriesFor,
  escapeGlob,
  LONG_TTL,
  manyKeys,
  SHORT_TTL,
  waitUntilMissing,
} from './support.js';

/** Sets `names` (under `p`) and returns which of them survive `deleteMatching(p + pattern)`. */
async function survivors(
  store: Store,
  p: string,
  names: readonly string[],
  pattern: string,
  expectedCount: number,
): Promise<string[]> {
  const keys = names.map((name) => `${p}${name}`);
  await store.setMany(entriesFor(keys));
  assert.equal(await store.deleteMatching(`${escapeGlob(p)}${pattern}`), expectedCount);
  const values = await store.getMany(keys);
  return names.filter((_, i) => values[i] !== undefined);
}

/** deleteMatching: Redis glob semantics, counts, batching, and never reaching outside the pattern. */
export function registerPatternCases(suite: Suite): void {
  const test = (name: string, fn: Parameters<Suite['test']>[1]): void =>
    suite.testIf('patternDelete', name, fn);

  suite.group('deleteMatching', () => {
    test('* deletes every key under a prefix and resolves to the count', async (store, p) => {
      const names = ['a', 'b', 'a:b:c', '', 'with space', '🔑'];
      assert.deepEqual(await survivors(store, p, names, '*', names.length), []);
    });

    test('? matches exactly one character', async (store, p) => {
      const names = ['a', 'a1', 'ab', 'a12', 'b1'];
      assert.deepEqual(await survivors(store, p, names, 'a?', 2), ['a', 'a12', 'b1']);
    });

    test('[abc] matches one character of the set', async (store, p) => {
      const names = ['xa', 'xb', 'xc', 'xd', 'xab', 'x'];
      assert.deepEqual(await survivors(store, p, names, 'x[abc]', 3), ['xd', 'xab', 'x']);
    });

    test('[a-c] ranges and [^a] negation', async (store, p) => {
      const names = ['ra', 'rb', 'rc', 'rd', 'na', 'nb', 'nz'];
      assert.deepEqual(await survivors(store, p, names, 'r[a-c]', 3), ['rd', 'na', 'nb', 'nz']);
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}n[^a]`), 2);
      assert.deepEqual(await store.getMany([`${p}na`, `${p}nb`, `${p}nz`]), [
        'value-4',
        undefined,
        undefined,
      ]);
    });

    test('escaped \\* \\? \\[ match only the literal characters', async (store, p) => {
      const names = ['lit*', 'lit-other', 'lit*x', 'q?', 'qx', '[x]', 'x'];
      assert.deepEqual(await survivors(store, p, names, 'lit\\*', 1), names.slice(1));
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}q\\?`), 1);
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}\\[x\\]`), 1);
      assert.deepEqual(await store.getMany(names.map((name) => `${p}${name}`)), [
        undefined,
        'value-1',
        'value-2',
        undefined,
        'value-4',
        undefined,
        'value-6',
      ]);
    });

    test('does not touch keys outside the pattern, e.g. a sibling prefix', async (store, p) => {
      const root = p.slice(0, -1); // 'ck-conf:<uuid>' without the trailing ':'
      const outside = [root, `${root}-sibling:a`, `${root}:`, `x${p}a`, `{${root}}:a`];
      await store.setMany(entriesFor(outside));
      await store.setMany(entriesFor([`${p}a`, `${p}b`]));
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}?*`), 2);
      assert.deepEqual(
        await store.getMany(outside),
        outside.map((_, i) => `value-${i}`),
      );
    });

    test('deletes keys spread over {hash tag} slots', async (store, p) => {
      const names = ['{a}1', '{a}2', '{b}1', '{c}1', '{user:42}x', 'plain'];
      assert.deepEqual(await survivors(store, p, names, '*', names.length), []);
    });

    test('deletes more than 2,500 keys (in batches) and counts them all', async (store, p) => {
      const keys = manyKeys(p, 2_600);
      const keep = manyKeys(p, 5, 'keep:');
      await store.setMany(entriesFor([...keys, ...keep]));
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}k[0-9]*`), 2_600);
      const values = await store.getMany(keys);
      const left = values.filter((value) => value !== undefined).length;
      assert.equal(left, 0, `${left} of 2,600 keys survived deleteMatching`);
      assert.equal((await store.getMany(keep)).filter((v) => v !== undefined).length, 5);
    });

    test('resolves to 0 when nothing matches', async (store, p) => {
      await store.set(`${p}a`, 'A', LONG_TTL);
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}nothing*`), 0);
      assert.equal(await store.get(`${p}a`), 'A');
    });

    test('does not count keys that have already expired', async (store, p) => {
      const tag = `{${p}}`;
      await store.setMany([
        ...entriesFor([`${tag}k1`, `${tag}k2`, `${tag}k3`]),
        ...entriesFor([`${tag}k4`, `${tag}k5`], SHORT_TTL),
      ]);
      // A sentinel set later in the same slot: reading k4/k5 themselves would expire them lazily.
      await store.set(`${tag}sentinel`, 'sentinel', SHORT_TTL);
      await waitUntilMissing(store, `${tag}sentinel`);
      assert.equal(await store.deleteMatching(`${escapeGlob(tag)}k*`), 3);
    });

    test('two users of one store each delete only under their own prefix', async (store, p) => {
      const other = `${p.slice(0, -1)}-other:`;
      const mine = manyKeys(p, 30);
      const theirs = manyKeys(other, 30);
      await store.setMany(entriesFor([...mine, ...theirs]));
      assert.equal(await store.deleteMatching(`${escapeGlob(p)}*`), 30);
      assert.equal((await store.getMany(theirs)).filter((v) => v !== undefined).length, 30);
      assert.equal(await store.deleteMatching(`${escapeGlob(other)}*`), 30);
      assert.equal((await store.getMany(mine)).filter((v) => v !== undefined).length, 0);
    });
  });
}

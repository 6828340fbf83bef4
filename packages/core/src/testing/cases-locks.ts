import assert from 'node:assert/strict';
import type { Store } from '../store.js';
import type { Suite } from './suite.js';
import { EXPIRY_TIMEOUT, LONG_TTL, SHORT_TTL } from './support.js';
import { waitFor } from './wait.js';

/**
 * A TTL long enough that a lock is surely still held one call later (unlike {@link SHORT_TTL}, which
 * a slow machine may outlive between two calls), yet short enough to wait for.
 */
const HELD_TTL = 500;

/** Polls until `token` acquires `key` (the lock held before has expired), with a long TTL. */
async function acquireOnceFree(
  store: Store,
  key: string,
  token: string,
  timeout: number = EXPIRY_TIMEOUT + HELD_TTL,
): Promise<void> {
  await waitFor(() => store.acquireLock(key, token, LONG_TTL), {
    timeout,
    message: `lock ${JSON.stringify(key)} to expire so that ${token} can acquire it`,
  });
}

/**
 * acquireLock / releaseLock: lease locks for distributed single-flight.
 *
 * A lock's value is the holder's token; `releaseLock` deletes only a value equal to its token
 * (compared as strings, exactly). Lock keys are never entry keys (the cache names them
 * `{<entry key>}:lock`), so a store may keep locks apart from entries, as the memory store does.
 * Locks are not reentrant: the holder's own token cannot acquire a held lock again.
 */
export function registerLockCases(suite: Suite): void {
  suite.group('acquireLock / releaseLock', () => {
    suite.test('acquires a free key', async (store, p) => {
      assert.equal(await store.acquireLock(`${p}lock`, 'A', LONG_TTL), true);
    });

    suite.test('a held lock refuses other tokens and its own (not reentrant)', async (store, p) => {
      assert.equal(await store.acquireLock(`${p}lock`, 'A', LONG_TTL), true);
      assert.equal(await store.acquireLock(`${p}lock`, 'B', LONG_TTL), false);
      assert.equal(await store.acquireLock(`${p}lock`, 'A', LONG_TTL), false);
    });

    suite.test('release with the wrong token refuses and the lock stays held', async (store, p) => {
      assert.equal(await store.acquireLock(`${p}lock`, 'A', LONG_TTL), true);
      assert.equal(await store.releaseLock(`${p}lock`, 'B'), false);
      assert.equal(await store.acquireLock(`${p}lock`, 'C', LONG_TTL), false);
      assert.equal(await store.releaseLock(`${p}lock`, 'A'), true);
    });

    suite.test(
      'release with the right token frees the key for the next holder',
      async (store, p) => {
        assert.equal(await store.acquireLock(`${p}lock`, 'A', LONG_TTL), true);
        assert.equal(await store.releaseLock(`${p}lock`, 'A'), true);
        assert.equal(await store.get(`${p}lock`), undefined);
        assert.equal(await store.releaseLock(`${p}lock`, 'A'), false, 'released twice');
        assert.equal(await store.acquireLock(`${p}lock`, 'B', LONG_TTL), true);
      },
    );

    suite.test('release of a missing key resolves to false', async (store, p) => {
      assert.equal(await store.releaseLock(`${p}missing`, 'A'), false);
      assert.equal(await store.get(`${p}missing`), undefined);
    });

    suite.test('tokens compare exactly, as strings', async (store, p) => {
      const cases: Array<[held: string, other: string]> = [
        ['1', '01'],
        ['1', '1.0'],
        ['Token-ü', 'token-ü'],
        ['abc', 'abc '],
        ['abc', 'ab'],
        ['🔒\0x', '🔒\0y'],
      ];
      for (const [i, [held, other]] of cases.entries()) {
        const key = `${p}lock${i}`;
        assert.equal(await store.acquireLock(key, held, LONG_TTL), true);
        assert.equal(await store.releaseLock(key, other), false, `${other} released ${held}`);
        assert.equal(await store.get(key), held, `the token ${JSON.stringify(held)} changed`);
        assert.equal(await store.releaseLock(key, held), true, `${held} did not release`);
      }
    });

    suite.test(
      'a lock expires after its TTL (in ms) and can be acquired again',
      async (store, p) => {
        assert.equal(await store.acquireLock(`${p}lock`, 'A', SHORT_TTL), true);
        // Well under a second: a TTL rounded up to whole seconds would still hold the lock.
        await acquireOnceFree(store, `${p}lock`, 'B', 900);
        assert.equal(await store.get(`${p}lock`), 'B');
      },
    );

    suite.test('a refused acquire does not extend the held lock’s TTL', async (store, p) => {
      assert.equal(await store.acquireLock(`${p}lock`, 'A', HELD_TTL), true);
      assert.equal(await store.acquireLock(`${p}lock`, 'B', LONG_TTL), false);
      await acquireOnceFree(store, `${p}lock`, 'C');
    });

    suite.test(
      'releasing an expired lock leaves the next holder’s lock alone',
      async (store, p) => {
        assert.equal(await store.acquireLock(`${p}lock`, 'A', SHORT_TTL), true);
        await acquireOnceFree(store, `${p}lock`, 'B');
        assert.equal(await store.releaseLock(`${p}lock`, 'A'), false);
        assert.equal(await store.get(`${p}lock`), 'B');
        assert.equal(await store.acquireLock(`${p}lock`, 'C', LONG_TTL), false, 'B lost the lock');
        assert.equal(await store.releaseLock(`${p}lock`, 'B'), true);
      },
    );

    suite.test(
      '50 concurrent acquires with distinct tokens: exactly one wins',
      async (store, p) => {
        const tokens = Array.from({ length: 50 }, (_, i) => `token-${i}`);
        const results = await Promise.all(
          tokens.map((token) => store.acquireLock(`${p}lock`, token, LONG_TTL)),
        );
        const winners = tokens.filter((_, i) => results[i] === true);
        assert.equal(winners.length, 1, `winners: ${winners.join(', ')}`);
        assert.equal(await store.get(`${p}lock`), winners[0]);
        assert.equal(await store.releaseLock(`${p}lock`, winners[0] as string), true);
      },
    );

    suite.test('locks on different keys are independent', async (store, p) => {
      const [a, b] = [`${p}a`, `${p}{other}b`];
      assert.equal(await store.acquireLock(a, 'T', LONG_TTL), true);
      assert.equal(await store.acquireLock(b, 'T', LONG_TTL), true);
      assert.equal(await store.releaseLock(a, 'T'), true);
      assert.equal(await store.acquireLock(b, 'U', LONG_TTL), false);
      assert.equal(await store.get(b), 'T');
    });
  });
}

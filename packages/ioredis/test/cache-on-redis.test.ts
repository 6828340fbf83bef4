import { type CacheError, createCache, type ErrorEvent } from '@cachekit/core';
import { type RedisServerHandle, startRedisServer, waitFor } from '@cachekit/redis-testkit';
import fc from 'fast-check';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IoredisStore, ioredisStore } from '../src/index.js';
import {
  clusterClient,
  decodeRaw,
  deferred,
  median,
  standaloneClient,
  uniqueName,
} from './helpers.js';
import { opArbitrary, runStaleModel } from './stale-model.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
/** Sequences of loads, releases, source writes, invalidations and reads (about 20 ops each). */
const sequences = fc.array(opArbitrary, { minLength: 1, maxLength: 40, size: 'medium' });

describe('the cache on real Redis (ioredis store)', () => {
  let client: Redis;
  let store: IoredisStore;

  beforeAll(() => {
    client = standaloneClient();
    store = ioredisStore({ client });
  });

  afterAll(async () => {
    await store?.close();
    await client?.quit();
  });

  it('10,000 concurrent getOrSet on one cold key run the loader once and all get its value', async () => {
    const cache = createCache({ store, namespace: uniqueName('herd') });
    const gate = deferred();
    let loads = 0;
    const loader = async (): Promise<{ n: number }> => {
      loads++;
      await gate.promise;
      return { n: 42 };
    };
    const calls = range(10_000).map(() => cache.getOrSet('cold', loader));
    gate.resolve();
    const results = await Promise.all(calls);
    expect(loads).toBe(1);
    expect(results.every((result) => result.n === 42)).toBe(true);
    await waitFor(async () => decodeRaw(await client.get(cache.keys.entry('cold'))) !== undefined, {
      description: 'the loaded value to be stored',
    });
    await expect(cache.getOrSet('cold', loader)).resolves.toEqual({ n: 42 });
    expect(loads).toBe(1);
  });

  it('invalidating a tag of 100,000 keys takes as long as one of 10 keys, and none is served after', async () => {
    const cache = createCache({ store, namespace: uniqueName('scale') });
    try {
      await Promise.all(range(10).map((i) => cache.set(['small', i], { i }, { tags: ['small'] })));
      // One entry written by the cache, copied raw to 99,999 more keys: same tag, same generation.
      await cache.set(['big', 0], { big: true }, { tags: ['big'] });
      const raw = await client.get(cache.keys.entry(['big', 0]));
      expect(decodeRaw(raw)?.tags).toHaveLength(2);
      const bigKeys = range(100_000).map((i) => cache.keys.entry(['big', i]));
      for (let i = 1; i < bigKeys.length; i += 10_000) {
        const batch = bigKeys.slice(i, i + 10_000);
        await store.setMany(batch.map((key) => ({ key, value: raw as string, ttl: 120_000 })));
      }
      const sample = range(200).map(() => Math.floor(Math.random() * bigKeys.length));
      const before = await Promise.all(sample.map((i) => cache.get(['big', i])));
      expect(before.every((value) => value !== undefined)).toBe(true);

      const timings: Record<'small' | 'big', number[]> = { small: [], big: [] };
      for (let round = 0; round < 21; round++) {
        const order = round % 2 === 0 ? (['small', 'big'] as const) : (['big', 'small'] as const);
        for (const tag of order) {
          const started = performance.now();
          await cache.invalidateTags([tag]);
          timings[tag].push(performance.now() - started);
        }
      }
      const small = median(timings.small);
      const big = median(timings.big);
      console.log(
        `[cache-on-redis] invalidateTags median: 10 keys ${small.toFixed(3)} ms, 100,000 keys ${big.toFixed(3)} ms`,
      );
      expect(Math.max(small, big) / Math.min(small, big)).toBeLessThan(3);
      expect(small).toBeLessThan(5);
      expect(big).toBeLessThan(5);

      const served: number[] = [];
      for (let i = 0; i < bigKeys.length; i += 2_000) {
        const values = await Promise.all(
          range(Math.min(2_000, bigKeys.length - i)).map((j) => cache.get(['big', i + j])),
        );
        values.forEach((value, j) => {
          if (value !== undefined) served.push(i + j);
        });
      }
      expect(served).toEqual([]);
      const smallValues = await Promise.all(range(10).map((i) => cache.get(['small', i])));
      expect(smallValues.every((value) => value === undefined)).toBe(true);
    } finally {
      await cache.deleteMatching('*');
    }
  }, 60_000);

  it('property: no read returns, and no write stores, a value older than a completed invalidation', async () => {
    await fc.assert(
      fc.asyncProperty(sequences, (ops) => runStaleModel(store, client, ops)),
      { numRuns: 100 },
    );
  }, 30_000);

  it('property: the same on a cluster (tag generations in other slots than the entries)', async () => {
    const cluster = clusterClient();
    const clusterStore = ioredisStore({ client: cluster });
    try {
      await fc.assert(
        fc.asyncProperty(sequences, (ops) => runStaleModel(clusterStore, cluster, ops)),
        { numRuns: 100 },
      );
    } finally {
      await cluster.quit();
    }
  }, 30_000);

  it('the property catches a store whose guards do not guard (so it can fail)', async () => {
    const unguarded: typeof store = {
      ...store,
      setIfGenerations: (key, value, ttl) => store.set(key, value, ttl).then(() => true),
    };
    const result = await fc.check(
      fc.asyncProperty(sequences, (ops) => runStaleModel(unguarded, client, ops)),
      { numRuns: 200, endOnFailure: true },
    );
    expect(result.failed).toBe(true);
  }, 30_000);

  it('a corrupt stored value is a miss: the loader runs, the key heals, an E_CORRUPT_ENTRY error is emitted', async () => {
    const cache = createCache({ store, namespace: uniqueName('corrupt') });
    const errors: CacheError[] = [];
    cache.on('error', (event: ErrorEvent) => errors.push(event.error));
    const key = cache.keys.entry('entry');
    await client.set(key, 'garbage without a header', 'PX', 60_000);
    let loads = 0;
    const loader = (): { fresh: boolean } => {
      loads++;
      return { fresh: true };
    };
    await expect(cache.getOrSet('entry', loader)).resolves.toEqual({ fresh: true });
    expect(loads).toBe(1);
    expect(errors.map((error) => error.code)).toContain('E_CORRUPT_ENTRY');
    await waitFor(async () => decodeRaw(await client.get(key))?.value !== undefined, {
      description: 'the corrupt key to be replaced by the loaded value',
    });
    expect(decodeRaw(await client.get(key))?.value).toEqual({ fresh: true });
    await expect(cache.getOrSet('entry', loader)).resolves.toEqual({ fresh: true });
    expect(loads).toBe(1);
  });
});

describe('the cache on a Redis that stops answering (SIGSTOP)', () => {
  let server: RedisServerHandle;

  beforeAll(async () => {
    server = await startRedisServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('getOrSet answers from the loader within timeout + 50 ms, then uses Redis again after SIGCONT', async () => {
    const store = ioredisStore({ redis: server.url });
    const cache = createCache({ store, namespace: uniqueName('stop'), timeout: 200 });
    const errors: CacheError[] = [];
    let hits = 0;
    cache.on('error', (event) => errors.push(event.error));
    cache.on('hit', () => hits++);
    try {
      await cache.getOrSet('warm', () => 'warm');
      server.pause();
      const started = performance.now();
      const value = await cache.getOrSet('status', () => 'from the source');
      const elapsed = performance.now() - started;
      expect(value).toBe('from the source');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((error) => error.code === 'E_STORE_TIMEOUT')).toBe(true);
      expect(elapsed, `getOrSet took ${elapsed.toFixed(1)} ms`).toBeLessThan(250);

      server.resume();
      await waitFor(
        async () => {
          await cache.getOrSet('status', () => 'from the source');
          return hits > 0;
        },
        { timeoutMs: 5_000, description: 'a cache hit after SIGCONT' },
      );
    } finally {
      if (server.paused) server.resume();
      await cache.close();
      await store.close();
    }
  });
});

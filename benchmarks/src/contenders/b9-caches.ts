import { createCache as createDedupeCache } from 'async-cache-dedupe';
import { createCache as createCacheManager } from 'cache-manager';
import { createKeyv } from 'cacheable';
import type { OpenCache } from './b9-stream.js';
import { connectCachekit } from './cachekit.js';

/** Entry TTL: far longer than an entry stays in a 10k-entry tier streaming distinct keys. */
const TTL_MS = 10_000;
/** cachekit's L1 byte bound (its default, given explicitly). */
export const L1_MAX_BYTES: number = 64 * 1024 * 1024;

/**
 * cachekit as in B1 (`connectCachekit`: ioredis store, `sync: cacheSync(bus)`, ready before use)
 * with its L1 bounded explicitly, `l1: { maxEntries, maxBytes: 64 MiB }` (both its defaults at full
 * size); read with `getOrSet(key, source)`. The store is Redis, so the process heap holds the L1
 * and the client, not the entries. One namespace per run.
 */
export function cachekitL1(redisUrl: string): OpenCache {
  let runs = 0;
  return async (source, maxEntries) => {
    const instance = await connectCachekit({
      redisUrl,
      ttlMs: TTL_MS,
      namespace: `b9-${++runs}`,
      extra: { l1: { maxEntries, maxBytes: L1_MAX_BYTES } },
    });
    const { cache } = instance;
    return {
      read: (key) => cache.getOrSet(key, () => source(key)),
      inProcessHits() {
        let hits = 0;
        for (const count of cache.l1HitCounts().values()) hits += count;
        return hits;
      },
      close: () => instance.close(),
    };
  };
}

/**
 * cache-manager 7 with B1's in-memory tier alone: `createCache({ stores: [createKeyv({ ttl,
 * lruSize, useClone: false })] })` (a cacheable `CacheableMemory` bounded at `lruSize` entries, no
 * byte bound; `useClone: false` as in B1), read with `wrap(key, fn, ttl)`.
 */
export function cacheManagerMemory(): OpenCache {
  return async (source, maxEntries) => {
    const cache = createCacheManager({
      stores: [createKeyv({ ttl: TTL_MS, lruSize: maxEntries, useClone: false })],
      ttl: TTL_MS,
    });
    return {
      read: (key) => cache.wrap(key, () => source(key), TTL_MS),
      async close() {
        await cache.disconnect();
      },
    };
  };
}

/**
 * async-cache-dedupe with its memory storage as its README shows, `createCache({ ttl, storage: {
 * type: 'memory', options: { size } } })` (an LRU of `size` entries, no byte bound), one
 * `define`d function called with the key.
 */
export function asyncCacheDedupeMemory(): OpenCache {
  return async (source, maxEntries) => {
    const cache = createDedupeCache({
      ttl: TTL_MS / 1000,
      storage: { type: 'memory', options: { size: maxEntries } },
    }).define('item', (key: string) => source(key));
    return {
      read: (key) => cache.item(key),
      // Nothing to release but the references, dropped with the returned object.
      close: async () => {},
    };
  };
}

import { createKeyv as createKeyvRedis } from '@keyv/redis';
import { createCache } from 'cache-manager';
import { createKeyv } from 'cacheable';
import type { KeyReader, ReaderOptions } from './types.js';

/**
 * cache-manager 7 tiered as its README's "multiple stores" example: an in-memory first tier
 * from cacheable's `createKeyv({ ttl, lruSize })` (a `CacheableMemory` store whose Keyv has
 * serialization removed "for optimization", so a hit returns the stored object without a JSON
 * parse) and `@keyv/redis` as the second tier; reads through `wrap(key, fn, ttl)`.
 *
 * `useClone: false`: CacheableMemory otherwise returns a `structuredClone` of the value on every
 * hit (5x slower here); its README offers this "to use the same reference for the values",
 * which is what cachekit's L1 and the other contenders return. (The README spells the option
 * `useClones`, which @cacheable/memory 2.2 ignores: `useClone` is the one it reads.)
 */
export function cacheManagerReader(options: ReaderOptions): KeyReader {
  const cache = createCache({
    stores: [
      createKeyv({ ttl: options.ttlMs, lruSize: 5000, useClone: false }),
      createKeyvRedis(options.redisUrl),
    ],
    ttl: options.ttlMs,
  });
  const { key, loader, ttlMs } = options;
  return {
    read: () => cache.wrap(key, loader, ttlMs),
    // Writes every tier of *this* instance; other instances' memory tiers are not told.
    async write(value) {
      await cache.set(key, value, ttlMs);
    },
    async close() {
      await cache.disconnect();
    },
  };
}

import { type CacheOptions, createCache, definePolicy, MODERATE } from '@cachekit/core';
import { ioredisStore } from '@cachekit/ioredis';
import { Redis } from 'ioredis';
import type { KeyReader, ReaderOptions } from './types.js';

/**
 * cachekit on an ioredis store it does not own: `getOrSet(key, loader)` with the cache's
 * default policy set to the scenario's TTL. `extra` adds options (`l1`, `sync`, …).
 */
export function cachekitReader(
  options: ReaderOptions,
  extra: Omit<CacheOptions, 'store' | 'policy'>,
): KeyReader {
  const client = new Redis(options.redisUrl);
  const cache = createCache({
    ...extra,
    store: ioredisStore({ client }),
    namespace: 'bench',
    policy: definePolicy(MODERATE, { ttl: options.ttlMs }),
  });
  const { key, loader } = options;
  return {
    read: () => cache.getOrSet(key, loader),
    async close() {
      await cache.close();
      await client.quit();
    },
  };
}

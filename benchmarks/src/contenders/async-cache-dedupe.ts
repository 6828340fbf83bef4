import { createCache } from 'async-cache-dedupe';
import type { KeyReader, ReaderOptions } from './types.js';

/**
 * async-cache-dedupe with its memory storage, as its README shows it: `createCache({ ttl,
 * storage: { type: 'memory' } })`, one `define`d function, called with the key as a string
 * argument (a string is used as the cache key as is; anything else goes through
 * safe-stable-stringify on every call). No `stale` (it adds a TTL lookup per hit) and no
 * `references` (invalidation bookkeeping): its fastest documented hit path.
 */
export function asyncCacheDedupeReader(options: ReaderOptions): KeyReader {
  const cache = createCache({
    ttl: Math.max(1, Math.round(options.ttlMs / 1000)),
    storage: { type: 'memory', options: { size: 1024 } },
  });
  const loader = options.loader;
  const item = cache.define('item', (_key: string) => loader()).item;
  const key = options.key;
  return {
    read: () => item(key),
    // Its README documents no setter: once the source changed, an instance clears the entry
    // (`cache.clear(name, arg)`), and the next call loads. Memory storage: this instance only.
    async write() {
      await cache.clear('item', key);
    },
    async close() {
      await cache.clear();
    },
  };
}

import { createKeyv } from '@keyv/redis';
import { createCache as createDedupeCache } from 'async-cache-dedupe';
import { BentoCache, bentostore } from 'bentocache';
import { redisDriver } from 'bentocache/drivers/redis';
import { createCache as createCacheManager } from 'cache-manager';
import { Redis } from 'ioredis';
import { type L2Reader, type L2ReaderOptions, readEveryItem } from './b2-readers.js';
import { type ItemRead, itemId, KEY_COUNT } from './b2-workload.js';

/** Item ids, and each id's index (the sources are called with the index). */
function ids(): { readonly ids: readonly string[]; readonly indexOf: ReadonlyMap<string, number> } {
  const list = Array.from({ length: KEY_COUNT }, (_, i) => itemId(i));
  return { ids: list, indexOf: new Map(list.map((id, i) => [id, i])) };
}

/** A cache-aside reader warmed by one cold read of each item (which loads and stores it). */
function warmedByReads(read: ItemRead, close: () => Promise<void>): L2Reader {
  return { read, warm: () => readEveryItem(read), close };
}

/**
 * BentoCache with one store that has only an L2 layer, as its "cache drivers" docs show for
 * Redis: `bentostore().useL2Layer(redisDriver({ connection: ioredis }))` (an ioredis instance of
 * ours, ioredis defaults, "to reuse the connection"); no L1 layer, no bus. Reads with
 * `getOrSet({ key, factory, ttl })`.
 */
export function bentocacheReader(options: L2ReaderOptions): L2Reader {
  const client = new Redis(options.redisUrl);
  const bento = new BentoCache({
    default: 'redis',
    prefix: options.prefix,
    stores: { redis: bentostore().useL2Layer(redisDriver({ connection: client })) },
  });
  const { ids: list } = ids();
  const { load, ttlMs } = options;
  const read: ItemRead = (index) =>
    bento.getOrSet({ key: list[index] as string, factory: () => load(index), ttl: ttlMs });
  return warmedByReads(read, async () => {
    // Its Redis driver disconnects the connection it was given.
    await bento.disconnectAll();
    if (client.status !== 'end') await client.quit().catch(() => undefined);
  });
}

/**
 * cache-manager 7 on one Keyv store, `@keyv/redis`'s `createKeyv(url)` (its README's way to build
 * it; node-redis underneath, its defaults, no namespace: the README turns namespaces off by default
 * for performance): Redis only, no in-memory tier. Reads with
 * `wrap(key, fn, ttl)`, which also coalesces concurrent calls of one key.
 */
export function cacheManagerRedisReader(options: L2ReaderOptions): L2Reader {
  const cache = createCacheManager({
    stores: [createKeyv(options.redisUrl)],
    ttl: options.ttlMs,
  });
  const { ids: list } = ids();
  const { load, ttlMs } = options;
  const read: ItemRead = (index) => cache.wrap(list[index] as string, () => load(index), ttlMs);
  return warmedByReads(read, async () => {
    await cache.disconnect();
  });
}

/**
 * async-cache-dedupe with its Redis storage as its README shows: `createCache({ ttl, storage: {
 * type: 'redis', options: { client: new Redis(url) } } })` (ioredis defaults), no invalidation
 * (references), no `stale`; one `define`d function called with the id as a string (used as the
 * key as is). Concurrent calls of one key share one promise (its dedupe).
 */
export function asyncCacheDedupeRedisReader(options: L2ReaderOptions): L2Reader {
  const client = new Redis(options.redisUrl);
  const cache = createDedupeCache({
    ttl: Math.round(options.ttlMs / 1000),
    storage: { type: 'redis', options: { client } },
  });
  const { ids: list, indexOf } = ids();
  const { load } = options;
  const item = cache.define('item', (id: string) => load(indexOf.get(id) ?? -1)).item;
  const read: ItemRead = (index) => item(list[index] as string);
  return warmedByReads(read, async () => {
    await client.quit();
  });
}

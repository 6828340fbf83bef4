import { createCache } from 'async-cache-dedupe';
import { BentoCache, bentostore } from 'bentocache';
import { memoryDriver } from 'bentocache/drivers/memory';
import { redisBusDriver, redisDriver } from 'bentocache/drivers/redis';
import { Redis } from 'ioredis';
import {
  B5_TTL_MS,
  B5_VALUE,
  copyEntry,
  type Invalidator,
  pipelined,
  unlinkAll,
} from './b5-invalidator.js';

/**
 * BentoCache as its multi-tier docs set it up for several instances: one store with an L1
 * memory layer (`memoryDriver({ maxSize: '10mb' })`), Redis as L2 (`redisDriver({ connection })`
 * on an ioredis client of ours) and the Redis bus (`redisBusDriver({ connection })`, which
 * duplicates that client for pub/sub). Entry `i` of set `s` is `bento.set({ key: '<s>:<i>',
 * value, tags: [s] })`; a set is invalidated with `bento.deleteByTag({ tags: [s] })`, which
 * writes one tag key holding the invalidation time (entries created before it are misses when
 * read). The first entry of a set goes through `bento.set`, the others are byte copies of it.
 */
export function bentocacheInvalidator(redisUrl: string, prefix: string): Invalidator {
  const client = new Redis(redisUrl);
  const bento = new BentoCache({
    default: 'tiered',
    prefix,
    stores: {
      tiered: bentostore()
        .useL1Layer(memoryDriver({ maxSize: '10mb' }))
        .useL2Layer(redisDriver({ connection: client }))
        .useBus(redisBusDriver({ connection: client })),
    },
  });
  const key = (set: string, index: number): string => `${set}:${index}`;
  return {
    async populate(set, size) {
      await bento.set({ key: key(set, 0), value: B5_VALUE, tags: [set], ttl: B5_TTL_MS });
      await copyEntry(client, size, (i) => `${prefix}:${key(set, i)}`, B5_TTL_MS);
    },
    async invalidate(set) {
      await bento.deleteByTag({ tags: [set] });
      return undefined;
    },
    read: (set, index) => bento.get({ key: key(set, index) }),
    ping: () => client.ping(),
    cleanup: (set, size) => unlinkAll(client, size, (i) => `${prefix}:${key(set, i)}`),
    async close() {
      // Its drivers disconnect the connection they were given (and the bus its duplicates).
      await bento.disconnectAll();
      if (client.status !== 'end') await client.quit().catch(() => undefined);
    },
  };
}

/**
 * async-cache-dedupe with its Redis storage and invalidation on, as its README's "Invalidation"
 * section shows: `createCache({ ttl, storage: { type: 'redis', options: { client, invalidation:
 * { referencesTTL } } } })` (`referencesTTL` = the TTL, as it advises), and one function
 * `define('item', { references: (args, key, result) => [set] }, load)`. Entry `i` of set `s` is
 * that function's result for the id `'<s>:<i>'` (key `item~<s>:<i>`), with reference `s`; a set
 * is invalidated with `cache.invalidateAll(s)`, which reads the reference's key set and deletes
 * every key in it. The entries are written with pipelined commands doing what its storage's
 * `set(key, value, ttl, references)` does (the value, the reference's key set and the
 * key's reference set, with their TTLs), after writing the first one with its `cache.set('item',
 * key, value, ttl, [s])`, whose stored value the others copy; verify() reads them all back.
 */
export function asyncCacheDedupeInvalidator(redisUrl: string): Invalidator {
  const client = new Redis(redisUrl);
  const ttl = Math.round(B5_TTL_MS / 1000);
  const cache = createCache({
    ttl,
    storage: { type: 'redis', options: { client, invalidation: { referencesTTL: ttl } } },
  });
  const setOf = (id: string): string => id.slice(0, id.indexOf(':'));
  cache.define(
    'item',
    { references: (id: string) => [setOf(id)] },
    async (_id: string) => B5_VALUE,
  );
  const key = (set: string, index: number): string => `item~${set}:${index}`;
  return {
    async populate(set, size) {
      // The first entry through the library (its storage's set), the others copied from it.
      await cache.set('item', key(set, 0), B5_VALUE, ttl, [set]);
      await copyEntry(client, size, (i) => key(set, i), B5_TTL_MS);
      await pipelined(client, size - 1, (pipeline, i) => {
        pipeline.sadd(`k:${key(set, i + 1)}`, set);
        pipeline.expire(`k:${key(set, i + 1)}`, ttl);
      });
      const perCommand = 1_000;
      await pipelined(client, Math.ceil(size / perCommand), (pipeline, batch) => {
        const keys: string[] = [];
        for (let i = batch * perCommand; i < Math.min(size, (batch + 1) * perCommand); i++) {
          keys.push(key(set, i));
        }
        pipeline.sadd(`r:${set}`, ...keys);
      });
      await client.expire(`r:${set}`, ttl);
    },
    async invalidate(set) {
      await cache.invalidateAll(set);
      return undefined;
    },
    read: (set, index) => cache.get('item', key(set, index)),
    ping: () => client.ping(),
    // Its invalidation deletes the entries and both reference sets.
    cleanup: async () => {},
    async close() {
      await client.quit();
    },
  };
}

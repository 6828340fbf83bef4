import { type Cache, createCache, definePolicy, MODERATE } from '@cachekit/core';
import { ioredisStore } from '@cachekit/ioredis';
import { nodeRedisStore } from '@cachekit/node-redis';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { type ItemRead, itemId, itemValue, KEY_COUNT, READS_PER_OP } from './b2-workload.js';

/** The ioredis setting a B2 contender varies: `enableAutoPipelining` (ioredis default: false). */
export interface IoredisTuning {
  readonly enableAutoPipelining: boolean;
}

/** The source behind a cache: returns item `index`'s value (and counts the call). */
export type ItemLoad = (index: number) => Promise<unknown>;

/** What every L2 reader gets: where Redis is, its own key prefix, TTL and source. */
export interface L2ReaderOptions {
  readonly redisUrl: string;
  /** Prefix (or namespace) of this contender's keys: contenders never read each other's. */
  readonly prefix: string;
  /** TTL of every entry, in ms: far longer than a run. */
  readonly ttlMs: number;
  /** The source behind a cache-aside read; a raw client has none. */
  readonly load: ItemLoad;
}

/** One library reading the {@link KEY_COUNT} items from Redis, and how it is warmed and released. */
export interface L2Reader {
  /** One read of item `index`, as a user of the library writes it. */
  readonly read: ItemRead;
  /** Puts every item in Redis the library's way (a cache: one cold read each, which loads it). */
  warm(): Promise<void>;
  close(): Promise<void>;
}

/** Reads every item once, {@link READS_PER_OP} at a time: how a cache is warmed through its reads. */
export async function readEveryItem(read: ItemRead): Promise<void> {
  for (let start = 0; start < KEY_COUNT; start += READS_PER_OP) {
    const reads: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(KEY_COUNT, start + READS_PER_OP); i++) reads.push(read(i));
    await Promise.all(reads);
  }
}

/** The key of every item under `prefix`, built once (a user builds it per call: noise here). */
export function itemKeys(prefix: string): string[] {
  return Array.from({ length: KEY_COUNT }, (_, i) => `${prefix}:${itemId(i)}`);
}

/**
 * A raw ioredis client: `GET` + `JSON.parse`, the floor of an L2 read on this driver. The items
 * are written with `SET … PX` (pipelined). `tuning`: ioredis's defaults, or
 * `enableAutoPipelining: true`, its best setting for concurrent commands.
 */
export function rawIoredisReader(options: L2ReaderOptions, tuning: IoredisTuning): L2Reader {
  const client = new Redis(options.redisUrl, { enableAutoPipelining: tuning.enableAutoPipelining });
  const keys = itemKeys(options.prefix);
  return {
    read: async (index) => {
      const raw = await client.get(keys[index] as string);
      return raw === null ? undefined : JSON.parse(raw);
    },
    async warm() {
      const pipeline = client.pipeline();
      for (let i = 0; i < KEY_COUNT; i++) {
        pipeline.set(keys[i] as string, JSON.stringify(itemValue(i)), 'PX', options.ttlMs);
      }
      await pipeline.exec();
    },
    async close() {
      await client.quit();
    },
  };
}

/**
 * A node-redis client with its defaults, connected. Its `error` events are listened to (an
 * EventEmitter without a listener would crash the run): a lost connection shows as failed reads.
 */
function connectNodeRedis(url: string) {
  return createClient({ url })
    .on('error', () => undefined)
    .connect();
}

/** A raw node-redis client (its defaults: commands of one tick go out in one write): `GET` + `JSON.parse`. */
export async function rawNodeRedisReader(options: L2ReaderOptions): Promise<L2Reader> {
  const client = await connectNodeRedis(options.redisUrl);
  const keys = itemKeys(options.prefix);
  return {
    read: async (index) => {
      const raw = await client.get(keys[index] as string);
      return raw === null ? undefined : JSON.parse(raw);
    },
    async warm() {
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < KEY_COUNT; i++) {
        writes.push(
          client.set(keys[i] as string, JSON.stringify(itemValue(i)), {
            expiration: { type: 'PX', value: options.ttlMs },
          }),
        );
      }
      await Promise.all(writes);
    },
    async close() {
      await client.close();
    },
  };
}

/** `getOrSet(id, () => load(index))` on `cache`, warmed by one cold read of every item. */
function cacheReader(cache: Cache, load: ItemLoad, close: () => Promise<void>): L2Reader {
  const ids = Array.from({ length: KEY_COUNT }, (_, i) => itemId(i));
  const read: ItemRead = (index) => cache.getOrSet(ids[index] as string, () => load(index));
  return { read, warm: () => readEveryItem(read), close };
}

/** cachekit's options here: defaults (no L1, no sync, 1 s timeout, circuit breaker), a long TTL. */
function cacheOptions(options: L2ReaderOptions) {
  return { namespace: options.prefix, policy: definePolicy(MODERATE, { ttl: options.ttlMs }) };
}

/** cachekit on an ioredis client of its user's (`tuning` as for {@link rawIoredisReader}), L1 off. */
export function cachekitIoredisReader(options: L2ReaderOptions, tuning: IoredisTuning): L2Reader {
  const client = new Redis(options.redisUrl, { enableAutoPipelining: tuning.enableAutoPipelining });
  const cache = createCache({ ...cacheOptions(options), store: ioredisStore({ client }) });
  return cacheReader(cache, options.load, async () => {
    await cache.close();
    await client.quit();
  });
}

/** cachekit on a node-redis client of its user's (node-redis defaults), L1 off. */
export async function cachekitNodeRedisReader(options: L2ReaderOptions): Promise<L2Reader> {
  const client = await connectNodeRedis(options.redisUrl);
  const cache = createCache({ ...cacheOptions(options), store: nodeRedisStore({ client }) });
  return cacheReader(cache, options.load, async () => {
    await cache.close();
    await client.close();
  });
}

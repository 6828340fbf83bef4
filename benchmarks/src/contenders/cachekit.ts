import { type Cache, type CacheOptions, createCache, definePolicy, MODERATE } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { type Bus, cacheSync, createBus } from '@cachekit/pubsub';
import { Redis } from 'ioredis';
import type { KeyReader, ReaderOptions } from './types.js';

/** One cachekit instance as a real deployment runs it, and what it holds. */
export interface CachekitInstance {
  readonly cache: Cache;
  readonly client: Redis;
  readonly bus: Bus;
  /** Closes the cache, then the bus (its subscriber connection), then the client. */
  close(): Promise<void>;
}

/** Where the instance connects and how its entries live. */
export interface CachekitInstanceOptions {
  readonly redisUrl: string;
  /** TTL of the default policy, in ms. */
  readonly ttlMs: number;
  /** Key namespace. Default `'bench'`. */
  readonly namespace?: string;
  /** Further cache options (`lock`, `l1` bounds, …). */
  readonly extra?: Omit<CacheOptions, 'store' | 'policy' | 'sync' | 'namespace'>;
}

/**
 * cachekit configured as a deployment of several instances must be to stay correct: an ioredis
 * store on a client it does not own, L1 on, and `sync: cacheSync(bus)` over an ioredis transport
 * on the same client (its own subscriber connection), so that every other instance's
 * invalidations drop this L1's copies. Resolves once the bus subscription is active
 * (`cache.ready()`): before it, an invalidation could be missed.
 */
export async function connectCachekit(options: CachekitInstanceOptions): Promise<CachekitInstance> {
  const client = new Redis(options.redisUrl);
  const bus = createBus({ transport: ioredisTransport({ client }) });
  const cache = createCache({
    l1: true,
    ...options.extra,
    store: ioredisStore({ client }),
    sync: cacheSync(bus),
    namespace: options.namespace ?? 'bench',
    policy: definePolicy(MODERATE, { ttl: options.ttlMs }),
  });
  const close = async (): Promise<void> => {
    await cache.close();
    await bus.dispose();
    await client.quit();
  };
  try {
    await cache.ready();
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return { cache, client, bus, close };
}

/**
 * A connected instance as a reader of one key: `getOrSet(key, loader)`. Closing the reader runs
 * `beforeClose` (what was attached to the cache, e.g. metrics), then closes the instance.
 */
export function instanceReader(
  instance: CachekitInstance,
  options: Pick<ReaderOptions, 'key' | 'loader'>,
  beforeClose?: () => void | Promise<void>,
): KeyReader {
  const { cache } = instance;
  const { key, loader } = options;
  return {
    read: () => cache.getOrSet(key, loader),
    write: (value) => cache.set(key, value),
    close: async () => {
      await beforeClose?.();
      await instance.close();
    },
  };
}

/** A {@link connectCachekit} instance as a reader of one key: `getOrSet(key, loader)`. */
export async function cachekitReader(options: ReaderOptions): Promise<KeyReader> {
  return instanceReader(await connectCachekit(options), options);
}

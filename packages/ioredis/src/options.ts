import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions } from 'ioredis';

/** An ioredis client the store can use: a standalone `Redis` or a `Cluster`. */
export type IoredisClient = Redis | Cluster;

/** Batching options shared by every way of creating the store. */
export interface IoredisStoreTuning {
  /** Most keys in one MGET, UNLINK, SET pipeline or script call; longer lists are split. Default: `1000`. */
  batchSize?: number;
  /** `COUNT` hint of each SCAN call in `deleteMatching`. Default: `1000`. */
  scanCount?: number;
}

/** Use your own client. The store never closes it: `store.close()` leaves it open. */
export interface IoredisClientOptions extends IoredisStoreTuning {
  /** Your `Redis` or `Cluster`. Commands are defined on it (`cachekitBumpGenerations`, `cachekitSetIfGenerations`). */
  client: IoredisClient;
  redis?: never;
  cluster?: never;
}

/** Let the store create a standalone client; `store.close()` quits it. */
export interface IoredisRedisOptions extends IoredisStoreTuning {
  /**
   * `redis://` URL or ioredis options, merged over the store's defaults
   * ({@link CREATED_CLIENT_DEFAULTS}: `maxRetriesPerRequest: 1`).
   */
  redis: RedisOptions | string;
  client?: never;
  cluster?: never;
}

/** Let the store create a `Cluster` client; `store.close()` quits it. */
export interface IoredisClusterOptions extends IoredisStoreTuning {
  cluster: {
    /** Seed nodes (`{ host, port }`, `'host:port'` or a port). */
    nodes: ClusterNode[];
    /** Cluster options; `redisOptions` are merged over {@link CREATED_CLIENT_DEFAULTS}. */
    options?: ClusterOptions;
  };
  client?: never;
  redis?: never;
}

/** Options of `ioredisStore`: exactly one of `client`, `redis` or `cluster`. */
export type IoredisStoreOptions =
  | IoredisClientOptions
  | IoredisRedisOptions
  | IoredisClusterOptions;

/**
 * Defaults of the clients the store creates (yours are used as they are):
 * - `maxRetriesPerRequest: 1`: while Redis is unreachable, queued commands fail after one
 *   reconnection attempt instead of twenty, so the offline queue holds one attempt's traffic.
 * - `retryStrategy`: reconnect after 50 ms, doubling to at most 250 ms (+ up to 50 ms jitter),
 *   instead of ioredis's growth to 5 s, so Redis is used again within ~0.3 s of coming back.
 */
export const CREATED_CLIENT_DEFAULTS: Readonly<RedisOptions> = Object.freeze({
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number): number =>
    Math.min(50 * 2 ** (attempt - 1), 250) + Math.floor(Math.random() * 50),
});

import { InvalidOptionError } from '@cachekit/core';
import type {
  RedisClientOptions,
  RedisClusterOptions,
  RedisFunctions,
  RedisModules,
  RedisScripts,
  RespVersions,
  TypeMapping,
} from 'redis';
import type { NodeRedisClientOrCluster } from './client.js';

/** Options of a client the store creates (node-redis `createClient` options). */
export type NodeRedisClientOptions = RedisClientOptions<
  RedisModules,
  RedisFunctions,
  RedisScripts,
  RespVersions,
  TypeMapping
>;

/** Options of a cluster the store creates (node-redis `createCluster` options). */
export type NodeRedisClusterOptions = RedisClusterOptions<
  RedisModules,
  RedisFunctions,
  RedisScripts,
  RespVersions,
  TypeMapping
>;

interface CommonOptions {
  /** COUNT hint of each SCAN call of `deleteMatching` (keys looked at per call). Default: `1000`. */
  scanCount?: number;
}

interface CreatedOptions extends CommonOptions {
  /**
   * Receives the created client's `error` events (connection lost, reconnect failed...). The
   * failed store calls also reach the cache, which reports them as `error` events. Default: ignore
   * them (without a listener, node-redis would crash the process on the first connection error).
   */
  onClientError?: (error: unknown) => void;
}

/** Use a client or cluster you created and connected. The store never connects or closes it. */
export interface NodeRedisStoreClientOptions extends CommonOptions {
  /** A connected `createClient()` or `createCluster()`; stays open after `store.close()`. */
  client: NodeRedisClientOrCluster;
}

/**
 * Let the store create, connect and close a client. Your `clientOptions` are applied over the
 * store's defaults: `disableOfflineQueue: true` (a command sent while the connection is down fails
 * at once, so the cache answers from the source instead of waiting for its timeout), and a
 * reconnect strategy that never gives up, retrying after 50 ms doubling to at most 1 s (node-redis's
 * own default stops for good after a socket timeout).
 */
export interface NodeRedisStoreUrlOptions extends CreatedOptions {
  /** `redis[s]://[[user][:password]@][host][:port][/db]`. Default: `clientOptions.url`, else `redis://localhost:6379`. */
  url?: string;
  /** Further `createClient` options. Default: none beyond the store's defaults above. */
  clientOptions?: NodeRedisClientOptions;
}

/**
 * Let the store create, connect and close a cluster client. `defaults` (options of every node's
 * client) get the same fail-fast defaults as {@link NodeRedisStoreUrlOptions}, under your own.
 */
export interface NodeRedisStoreClusterOptions extends CreatedOptions {
  /** `createCluster` options; `rootNodes` is required. */
  cluster: NodeRedisClusterOptions;
}

/** Options of `nodeRedisStore`: bring a client, or let the store create one. */
export type NodeRedisStoreOptions =
  | NodeRedisStoreClientOptions
  | NodeRedisStoreUrlOptions
  | NodeRedisStoreClusterOptions;

const DEFAULT_SCAN_COUNT = 1000;

/** Validates `scanCount` and returns it with its default applied. */
export function resolveScanCount(options: CommonOptions): number {
  const count = options.scanCount ?? DEFAULT_SCAN_COUNT;
  if (!Number.isInteger(count) || count <= 0) {
    throw new InvalidOptionError(
      `nodeRedisStore: scanCount must be a positive integer, got ${String(count)}.`,
    );
  }
  return count;
}

/** Which way of getting a client the options name; refuses options that name several. */
export function sourceOf(options: NodeRedisStoreOptions): 'client' | 'cluster' | 'url' {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError(
      'nodeRedisStore expects options: { client }, { url | clientOptions } or { cluster }.',
    );
  }
  const fields = options as Partial<
    Record<'client' | 'cluster' | 'url' | 'clientOptions', unknown>
  >;
  const sources: Array<'client' | 'cluster' | 'url'> = [];
  if (fields.client !== undefined) sources.push('client');
  if (fields.cluster !== undefined) sources.push('cluster');
  if (fields.url !== undefined || fields.clientOptions !== undefined) sources.push('url');
  if (sources.length > 1) {
    throw new InvalidOptionError(
      `nodeRedisStore: pass only one of client, cluster or url/clientOptions (got ${sources.join(', ')}).`,
    );
  }
  return sources[0] ?? 'url';
}

import { InvalidOptionError } from '@cachekit/core';
import { Cluster, Redis } from 'ioredis';
import {
  CREATED_CLIENT_DEFAULTS,
  type IoredisClient,
  type IoredisStoreOptions,
} from './options.js';

/** The client a store talks to, whether it created it, and its settings. */
export interface ResolvedClient {
  readonly client: IoredisClient;
  /** The store created it, so `close()` quits it. */
  readonly owned: boolean;
  readonly cluster: boolean;
  /** The client's `keyPrefix` (ioredis adds it to every key argument, not to SCAN patterns). */
  readonly keyPrefix: string;
  readonly batchSize: number;
  readonly scanCount: number;
}

function positiveInteger(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(
      `ioredisStore: ${what} must be a positive integer, got ${String(value)}.`,
    );
  }
  return value;
}

function isIoredisClient(value: unknown): value is IoredisClient {
  const candidate = value as { defineCommand?: unknown; scan?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.defineCommand === 'function' &&
    typeof candidate.scan === 'function'
  );
}

// ioredis 6 declares `replyMapping?: ReplyMappingMode | undefined` in RedisOptions, but its
// constructors take it without `| undefined`, which exactOptionalPropertyTypes refuses. The
// options are typed RedisOptions / ClusterOptions already, so they are passed through `as never`.
function createClient(options: IoredisStoreOptions): IoredisClient {
  if (options.redis !== undefined) {
    const redis = options.redis;
    if (typeof redis === 'string') return new Redis(redis, { ...CREATED_CLIENT_DEFAULTS } as never);
    if (typeof redis !== 'object' || redis === null) {
      throw new InvalidOptionError(
        'ioredisStore: redis must be a redis:// URL or an ioredis options object.',
      );
    }
    return new Redis({ ...CREATED_CLIENT_DEFAULTS, ...redis } as never);
  }
  const cluster = options.cluster;
  if (
    typeof cluster !== 'object' ||
    cluster === null ||
    !Array.isArray(cluster.nodes) ||
    cluster.nodes.length === 0
  ) {
    throw new InvalidOptionError(
      'ioredisStore: cluster must be { nodes: [...at least one seed node], options? }.',
    );
  }
  const clusterOptions = cluster.options ?? {};
  return new Cluster(cluster.nodes, {
    ...clusterOptions,
    redisOptions: { ...CREATED_CLIENT_DEFAULTS, ...clusterOptions.redisOptions },
  } as never);
}

/** Validates the options, then returns the user's client or a new one. */
export function resolveClient(options: IoredisStoreOptions): ResolvedClient {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('ioredisStore expects { client }, { redis } or { cluster }.');
  }
  const given = (['client', 'redis', 'cluster'] as const).filter(
    (name) => options[name] !== undefined,
  );
  if (given.length !== 1) {
    throw new InvalidOptionError(
      `ioredisStore needs exactly one of client, redis or cluster; got ${given.length === 0 ? 'none' : given.join(' and ')}.`,
    );
  }
  const batchSize = positiveInteger(options.batchSize, 1000, 'batchSize');
  const scanCount = positiveInteger(options.scanCount, 1000, 'scanCount');
  let client: IoredisClient;
  const owned = options.client === undefined;
  if (owned) {
    client = createClient(options);
  } else {
    if (!isIoredisClient(options.client)) {
      throw new InvalidOptionError(
        'ioredisStore: client must be an ioredis Redis or Cluster instance.',
      );
    }
    client = options.client;
  }
  const cluster = (client as { isCluster?: unknown }).isCluster === true;
  const prefix = (client.options as { keyPrefix?: unknown }).keyPrefix;
  return {
    client,
    owned,
    cluster,
    keyPrefix: typeof prefix === 'string' ? prefix : '',
    batchSize,
    scanCount,
  };
}

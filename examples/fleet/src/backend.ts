import type { Store } from '@cachekit/core';
import { ioredisStore, ioredisTransport } from '@cachekit/ioredis';
import { type Bus, createBus, memoryTransport } from '@cachekit/pubsub';
import { Redis } from 'ioredis';
import { FleetBackendError } from './errors.js';
import { memoryState } from './memory-state.js';
import { redactUrl } from './redact.js';
import { redisState } from './redis-state.js';
import type { FleetState } from './shared-state.js';

/** What the app runs on: the fleet's state, the cache's store and the bus, in memory or on Redis. */
export interface Backend {
  readonly kind: 'memory' | 'redis';
  readonly state: FleetState;
  /** The cache's store; `undefined` lets the cache make (and close) its own memory store. */
  readonly store: Store | undefined;
  readonly bus: Bus;
  /** The Redis client the three share (not to be closed by others); undefined in memory. */
  readonly redis: Redis | undefined;
  /** Disposes the bus and quits the Redis client, which this backend created. */
  close(): Promise<void>;
}

/** Options of {@link createBackend}. */
export interface BackendOptions {
  /** Redis to share with other instances; none: everything in this process. */
  redisUrl: string | undefined;
  /** Key prefix of the fleet's state in Redis (and name of its channels). */
  prefix: string;
  ids: readonly string[];
  /** Instance id stamped on bus messages. */
  instanceId: string;
  /** Told about Redis connection errors (ioredis reconnects by itself). */
  onRedisError: (error: Error) => void;
}

/** Creates the state, store and bus; on Redis, one client shared by the three (the transport duplicates it to subscribe). */
export async function createBackend(options: BackendOptions): Promise<Backend> {
  if (options.redisUrl === undefined) {
    const state = memoryState(options.ids);
    await state.init();
    const bus = createBus({ transport: memoryTransport(), source: options.instanceId });
    return {
      kind: 'memory',
      state,
      store: undefined,
      bus,
      redis: undefined,
      close: () => bus.dispose(),
    };
  }
  // Queued commands fail after one reconnect attempt instead of twenty; reconnects stay quick.
  const client = new Redis(options.redisUrl, {
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** (attempt - 1), 500),
    enableAutoPipelining: true,
  });
  client.on('error', options.onRedisError);
  const bus = createBus({
    transport: ioredisTransport({ client }),
    source: options.instanceId,
  });
  const close = async (): Promise<void> => {
    await bus.dispose();
    await client.quit().catch(() => client.disconnect());
  };
  try {
    const state = redisState(client, options.prefix, options.ids);
    await state.init();
    return { kind: 'redis', state, store: ioredisStore({ client }), bus, redis: client, close };
  } catch (error) {
    await close();
    throw new FleetBackendError(
      `Could not load the fleet from Redis at ${redactUrl(options.redisUrl)} ` +
        `(${(error as Error).message}): start Redis there, or unset REDIS_URL to run in memory.`,
      { cause: error },
    );
  }
}

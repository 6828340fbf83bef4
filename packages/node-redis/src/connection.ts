import { createClient, createCluster } from 'redis';
import type { NodeRedisClientOrCluster } from './client.js';
import type {
  NodeRedisClientOptions,
  NodeRedisClusterOptions,
  NodeRedisStoreClusterOptions,
  NodeRedisStoreUrlOptions,
} from './options.js';

/** How long `close()` lets pending commands finish before it drops the connection. */
const CLOSE_GRACE_MS = 1000;

/** The client a store talks to, and what it must do around it. */
export interface Connection {
  readonly client: NodeRedisClientOrCluster;
  /** A promise to await before sending commands (the first connect), or `undefined` to go ahead. */
  gate(): Promise<void> | undefined;
  /** Closes the client if the store created it. Idempotent. */
  close(): Promise<void>;
}

/** Retries after 50 ms, doubling up to 1 s plus jitter, and never gives up. */
export function reconnectStrategy(retries: number): number {
  return Math.min(50 * 2 ** retries, 1000) + Math.floor(Math.random() * 50);
}

/** The user's client: used as is, never closed. */
export function borrowed(client: NodeRedisClientOrCluster): Connection {
  return { client, gate: () => undefined, close: async () => {} };
}

interface Closable {
  close(): Promise<void>;
  destroy(): void;
  readonly isOpen: boolean;
}

/** `close()` (waits for pending replies) bounded by a grace period, then `destroy()`. */
async function shut(client: Closable): Promise<void> {
  if (!client.isOpen) {
    client.destroy();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const graceful = client.close().then(
    () => true,
    () => false,
  );
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
  });
  const closed = await Promise.race([graceful, expired]);
  clearTimeout(timer);
  if (!closed) client.destroy();
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= fn();
    return running;
  };
}

const ignore = (): void => {};

/** Creates and connects a standalone client with the store's fail-fast defaults. */
export function ownedClient(options: NodeRedisStoreUrlOptions): Connection {
  const user: NodeRedisClientOptions = options.clientOptions ?? {};
  const client = createClient({
    disableOfflineQueue: true,
    ...user,
    ...(options.url === undefined ? {} : { url: options.url }),
    socket: { reconnectStrategy, ...user.socket },
  });
  let closed = false;
  const report = options.onClientError ?? ignore;
  const onError = (error: unknown): void => {
    if (!closed) report(error);
  };
  client.on('error', onError);
  // Commands wait for the first connection attempt only: once it failed, they fail fast (the
  // offline queue is off) while the client keeps reconnecting in the background.
  let pending: Promise<void> | undefined = new Promise<void>((resolve) => {
    const settle = (): void => {
      client.off('ready', settle);
      client.off('error', settle);
      pending = undefined;
      resolve();
    };
    client.on('ready', settle);
    client.on('error', settle);
  });
  client.connect().catch(onError);
  return {
    client,
    gate: () => pending,
    close: once(() => {
      closed = true;
      return shut(client);
    }),
  };
}

/** Creates and connects a cluster client; reconnects it on use if discovery failed. */
export function ownedCluster(options: NodeRedisStoreClusterOptions): Connection {
  const user: NodeRedisClusterOptions = options.cluster;
  const defaults = user.defaults ?? {};
  const cluster = createCluster({
    ...user,
    defaults: {
      disableOfflineQueue: true,
      ...defaults,
      socket: { reconnectStrategy, ...defaults.socket },
    },
  });
  let closing = false;
  const report = options.onClientError ?? ignore;
  const onError = (error: unknown): void => {
    if (!closing) report(error);
  };
  cluster.on('error', onError);
  let connecting: Promise<void> | undefined;
  // A cluster whose discovery failed (no root node reachable) closes itself: connect it again.
  const gate = (): Promise<void> | undefined => {
    if (connecting !== undefined || closing || cluster.isOpen) return connecting;
    connecting = cluster.connect().then(
      () => {
        connecting = undefined;
      },
      (error: unknown) => {
        connecting = undefined;
        throw error;
      },
    );
    return connecting;
  };
  gate()?.catch(onError);
  return {
    client: cluster,
    gate,
    close: once(async () => {
      closing = true;
      // Discovery still running: drop it rather than wait for its connect timeout.
      if (connecting !== undefined) cluster.destroy();
      else await shut(cluster);
    }),
  };
}

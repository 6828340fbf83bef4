/**
 * The pub/sub parts of node-redis clients and clusters the transport uses, typed by shape so that
 * any node-redis 5/6 client fits whatever its modules or RESP version.
 */

/** How node-redis calls a subscription's listener. */
export type NodeRedisMessageListener = (message: string, channel: string) => unknown;

/** node-redis's three kinds of subscription (`getPubSubListeners(type)`). */
export type NodeRedisPubSubType = 'CHANNELS' | 'PATTERNS' | 'SHARDED';

/** Events that carry an error (a client's 'error', a cluster's 'node-error'...). */
type ErrorEvent = 'error' | 'node-error' | 'sharded-channel-moved-error';
/** Connection state events the transport follows. */
type StateEvent = 'ready' | 'terminated' | 'node-ready' | 'node-reconnecting' | 'node-disconnect';

/** Commands and events common to a client and a cluster. */
export interface NodeRedisPubSubCommands {
  publish(channel: string, message: string): Promise<unknown>;
  /** Sharded publish (Redis 7+), routed by the channel's hash slot on a cluster. */
  sPublish(channel: string, message: string): Promise<unknown>;
  subscribe(channels: string[], listener: NodeRedisMessageListener): Promise<unknown>;
  unsubscribe(channels: string[]): Promise<unknown>;
  pSubscribe(patterns: string[], listener: NodeRedisMessageListener): Promise<unknown>;
  pUnsubscribe(patterns: string[]): Promise<unknown>;
  sSubscribe(channels: string[], listener: NodeRedisMessageListener): Promise<unknown>;
  sUnsubscribe(channels: string[]): Promise<unknown>;
  on(event: ErrorEvent, listener: (error: Error) => void): unknown;
  on(event: StateEvent, listener: () => void): unknown;
  off(event: ErrorEvent, listener: (error: Error) => void): unknown;
  off(event: StateEvent, listener: () => void): unknown;
  connect(): Promise<unknown>;
  close(): Promise<unknown>;
  destroy(): unknown;
  readonly isOpen: boolean;
  readonly isReady: boolean;
}

/** A node-redis client (`createClient()`). */
export interface NodeRedisPubSubClient extends NodeRedisPubSubCommands {
  duplicate(): NodeRedisPubSubClient;
  /** The channels (or patterns) this client holds, with their listeners. */
  getPubSubListeners(type: NodeRedisPubSubType): ReadonlyMap<string, unknown>;
}

/** A client of a cluster node plus the promise of its first connection while it connects. */
export interface NodeRedisPubSubNode {
  readonly client: NodeRedisPubSubClient;
  readonly connectPromise?: Promise<unknown> | undefined;
}

/** A node-redis cluster (`createCluster()`). */
export interface NodeRedisPubSubCluster extends NodeRedisPubSubCommands {
  duplicate(overrides?: { minimizeConnections?: boolean }): NodeRedisPubSubCluster;
  /** Per slot, its master; `pubSub` is that master's sharded subscriber client, if any. */
  readonly slots: ReadonlyArray<{
    readonly master: { readonly pubSub?: NodeRedisPubSubNode | undefined };
  }>;
  /** The node client classic SUBSCRIBE / PSUBSCRIBE go to, once one is used. */
  readonly pubSubNode: NodeRedisPubSubNode | undefined;
  readonly masters: readonly unknown[];
}

/** Either kind. */
export type NodeRedisPubSubClientOrCluster = NodeRedisPubSubClient | NodeRedisPubSubCluster;

/** Tells a cluster from a single client by its topology accessors. */
export function isPubSubCluster(
  client: NodeRedisPubSubClientOrCluster,
): client is NodeRedisPubSubCluster {
  return 'masters' in client && 'slots' in client;
}

/** True if `value` looks like a node-redis client or cluster. */
export function isPubSubClient(value: unknown): value is NodeRedisPubSubClientOrCluster {
  const candidate = value as {
    duplicate?: unknown;
    sSubscribe?: unknown;
    publish?: unknown;
  } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.duplicate === 'function' &&
    typeof candidate.sSubscribe === 'function' &&
    typeof candidate.publish === 'function'
  );
}

/**
 * Connects `client`, rejecting on its first error: node-redis's own `connect()` keeps retrying
 * (with the default reconnect strategy) until Redis answers, which would hang a startup.
 */
export function connectOrFail(client: NodeRedisPubSubCommands): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: unknown): void => {
      client.off('error', onError);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onError = (error: Error): void => settle(error);
    client.on('error', onError);
    client.connect().then(() => settle(), settle);
  });
}

/** How long closing a subscriber connection waits for pending replies before dropping it. */
const CLOSE_GRACE_MS = 1_000;

/** `close()` (drains pending replies) bounded by a grace period, then `destroy()`. */
export async function shut(client: NodeRedisPubSubCommands): Promise<void> {
  if (!client.isOpen) {
    client.destroy();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const closed = client.close().then(
    () => true,
    () => false,
  );
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), CLOSE_GRACE_MS);
  });
  const graceful = await Promise.race([closed, expired]);
  clearTimeout(timer);
  if (!graceful) client.destroy();
}

import {
  CacheError,
  ClosedError,
  connectionError,
  guardHandlers,
  InvalidOptionError,
  StoreError,
  type TransportCapabilities,
  type TransportHandlers,
} from '@cachekit/core';
import {
  isPubSubClient,
  isPubSubCluster,
  type NodeRedisPubSubClient,
  type NodeRedisPubSubClientOrCluster,
  type NodeRedisPubSubCluster,
} from './transport-client.js';
import { ClusterSubscriber } from './transport-cluster.js';
import type { NodeRedisTransport, NodeRedisTransportOptions } from './transport-options.js';
import { ClientSubscriber, type Subscriber } from './transport-standalone.js';

const NAME = 'nodeRedisTransport';

class NodeRedisPubSub implements NodeRedisTransport {
  readonly name = 'node-redis';
  readonly capabilities: TransportCapabilities;
  private active: Subscriber | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: NodeRedisPubSubClientOrCluster,
    readonly sharded: boolean,
  ) {
    this.capabilities = Object.freeze({ patterns: !sharded, local: false });
  }

  get subscriber(): NodeRedisPubSubClient | NodeRedisPubSubCluster | undefined {
    return this.closing === undefined ? this.active?.connection : undefined;
  }

  async connect(handlers: TransportHandlers): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${NAME}: connect() after close()`);
    if (this.active !== undefined) {
      throw new StoreError(`${NAME}: connect() was already called`);
    }
    const guarded = guardHandlers(handlers, NAME);
    const subscriber = isPubSubCluster(this.client)
      ? new ClusterSubscriber(this.client, this.sharded, guarded, NAME)
      : new ClientSubscriber(this.client, guarded, NAME);
    this.active = subscriber;
    try {
      await subscriber.start();
    } catch (error) {
      // start() left nothing running: connect() may be called again.
      if (this.active === subscriber) this.active = undefined;
      throw error;
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${NAME}: publish() after close()`);
    try {
      if (this.sharded) await this.client.sPublish(channel, message);
      else await this.client.publish(channel, message);
    } catch (cause) {
      const command = this.sharded ? 'SPUBLISH' : 'PUBLISH';
      throw connectionError(NAME, `${command} to ${JSON.stringify(channel)} failed`, cause);
    }
  }

  subscribe(channels: readonly string[]): Promise<void> {
    return this.whenOpen('subscribe', (subscriber) => subscriber.subscribe(channels));
  }

  unsubscribe(channels: readonly string[]): Promise<void> {
    if (this.closing !== undefined) return Promise.resolve();
    return this.whenOpen('unsubscribe', (subscriber) => subscriber.unsubscribe(channels));
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    return this.whenOpen('psubscribe', (subscriber) => subscriber.psubscribe(patterns));
  }

  punsubscribe(patterns: readonly string[]): Promise<void> {
    if (this.closing !== undefined) return Promise.resolve();
    return this.whenOpen('punsubscribe', (subscriber) => subscriber.punsubscribe(patterns));
  }

  close(): Promise<void> {
    this.closing ??= this.active?.close() ?? Promise.resolve();
    return this.closing;
  }

  private async whenOpen(
    what: string,
    run: (subscriber: Subscriber) => Promise<void>,
  ): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${NAME}: ${what}() after close()`);
    if (this.active === undefined) throw new StoreError(`${NAME}: ${what}() before connect()`);
    try {
      await run(this.active);
    } catch (cause) {
      if (cause instanceof CacheError) throw cause;
      throw connectionError(NAME, `${what} failed`, cause);
    }
  }
}

/**
 * A core `Transport` on node-redis. Publishes on your client (PUBLISH, or SPUBLISH when sharded)
 * and subscribes on a `duplicate()` of it, reporting `handlers.reconnect()` once the subscriptions
 * are back after every reconnect. `close()` closes only that duplicate.
 */
export function nodeRedisTransport(options: NodeRedisTransportOptions): NodeRedisTransport {
  if (typeof options !== 'object' || options === null || !isPubSubClient(options.client)) {
    throw new InvalidOptionError(
      `${NAME}: client must be a node-redis client (createClient) or cluster (createCluster).`,
    );
  }
  const cluster = isPubSubCluster(options.client);
  const sharded = options.sharded ?? cluster;
  if (typeof sharded !== 'boolean') {
    throw new InvalidOptionError(`${NAME}: sharded must be a boolean, got ${String(sharded)}.`);
  }
  if (sharded && !cluster) {
    throw new InvalidOptionError(
      `${NAME}: sharded pub/sub needs a cluster (createCluster); a single client uses classic pub/sub.`,
    );
  }
  return new NodeRedisPubSub(options.client, sharded);
}

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
import type { Cluster, Redis } from 'ioredis';
import type { IoredisClient } from './options.js';
import type { IoredisTransport, IoredisTransportOptions } from './transport-options.js';
import { ShardedSubscriber } from './transport-sharded.js';
import {
  clusterNodeSource,
  duplicateSource,
  SingleSubscriber,
  type Subscriber,
} from './transport-single.js';

const NAME = 'ioredisTransport';

const ignore = (): void => {};

function isClient(value: unknown): value is IoredisClient {
  const candidate = value as { duplicate?: unknown; publish?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.duplicate === 'function' &&
    typeof candidate.publish === 'function'
  );
}

/**
 * Resolves once a Cluster knows its nodes (it may still be connecting when the transport starts).
 * A lazy Cluster is connected, as its first command would do; rejects if it fails or ends first.
 */
function clusterNodesKnown(client: Cluster): Promise<void> {
  if (client.nodes('all').length > 0) return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new Error('the Cluster client has ended'));
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      client.off('ready', onReady);
      client.off('error', settle);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = (): void => settle();
    const onEnd = (): void => settle(new Error('the Cluster client ended before it connected'));
    client.on('ready', onReady);
    client.on('error', settle);
    client.on('end', onEnd);
    if (client.status === 'wait') client.connect().catch(ignore);
  });
}

class IoredisPubSub implements IoredisTransport {
  readonly name = 'ioredis';
  readonly capabilities: TransportCapabilities;
  private active: Subscriber | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: IoredisClient,
    private readonly cluster: boolean,
    readonly sharded: boolean,
  ) {
    this.capabilities = Object.freeze({ patterns: !sharded, local: false });
  }

  get subscriber(): Redis | Cluster | undefined {
    return this.closing === undefined ? this.active?.connection : undefined;
  }

  async connect(handlers: TransportHandlers): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${NAME}: connect() after close()`);
    if (this.active !== undefined) {
      throw new StoreError(`${NAME}: connect() was already called`);
    }
    const guarded = guardHandlers(handlers, NAME);
    const subscriber = this.subscriberFor(guarded);
    this.active = subscriber;
    try {
      if (this.cluster && !this.sharded) {
        await clusterNodesKnown(this.client as Cluster).catch((cause: unknown) => {
          throw connectionError(NAME, 'the Cluster did not connect', cause);
        });
      }
      await subscriber.start();
    } catch (error) {
      // Nothing is left running: connect() may be called again.
      await subscriber.close();
      if (this.active === subscriber) this.active = undefined;
      throw error;
    }
  }

  private subscriberFor(handlers: TransportHandlers): Subscriber {
    if (this.sharded) return new ShardedSubscriber(this.client as Cluster, handlers, NAME);
    const source = this.cluster
      ? clusterNodeSource(this.client as Cluster)
      : duplicateSource(this.client as Redis);
    return new SingleSubscriber(source, handlers, NAME);
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${NAME}: publish() after close()`);
    try {
      if (this.sharded) await this.client.spublish(channel, message);
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
 * A core `Transport` on ioredis. Publishes on your client (PUBLISH, or SPUBLISH when sharded) and
 * subscribes on a connection of its own made with `duplicate()`, resubscribed and reported through
 * `handlers.reconnect()` after every reconnect. `close()` closes only that connection.
 */
export function ioredisTransport(options: IoredisTransportOptions): IoredisTransport {
  if (typeof options !== 'object' || options === null || !isClient(options.client)) {
    throw new InvalidOptionError(`${NAME}: client must be an ioredis Redis or Cluster instance.`);
  }
  const cluster = (options.client as { isCluster?: unknown }).isCluster === true;
  const sharded = options.sharded ?? cluster;
  if (typeof sharded !== 'boolean') {
    throw new InvalidOptionError(`${NAME}: sharded must be a boolean, got ${String(sharded)}.`);
  }
  if (sharded && !cluster) {
    throw new InvalidOptionError(
      `${NAME}: sharded pub/sub needs a Cluster client; a standalone Redis uses classic pub/sub.`,
    );
  }
  return new IoredisPubSub(options.client, cluster, sharded);
}

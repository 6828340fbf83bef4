import {
  ConnectionSlot,
  connectionError,
  connectionErrorReporter,
  groupBySlot,
  type PubSubSubscriber,
  shardedPatternsError,
  type TransportHandlers,
  Wanted,
} from '@cachekit/core';
import calculateSlot from 'cluster-key-slot';
import type { Cluster, Redis } from 'ioredis';
import { quitClient } from './quit.js';

/** Delay between checks that every sharded subscriber is back after a loss. */
const CONFIRM_RETRY_MS = 20;

/** The parts of ioredis 6's ClusterSubscriberGroup read to confirm a resubscribe (not public API). */
interface ShardedSubscriberInternals {
  /** Idle (lazy, no channel yet), starting or connected, with a connection. */
  isHealthy(): boolean;
  isStarted(): boolean;
  getInstance(): Redis | null;
}

function shardedSubscribersOf(cluster: Cluster): ShardedSubscriberInternals[] | undefined {
  const group = (cluster as unknown as { shardedSubscribers?: { shardedSubscribers?: unknown } })
    .shardedSubscribers?.shardedSubscribers;
  return group instanceof Map
    ? [...(group.values() as Iterable<ShardedSubscriberInternals>)]
    : undefined;
}

/**
 * Sharded pub/sub on a Cluster through ioredis's own support: a duplicate of the user's Cluster
 * with `shardedSubscribers: true` keeps one subscriber connection per master that owns a
 * subscribed channel's slot, routes SSUBSCRIBE by slot, and after a lost connection or a topology
 * change rebuilds the subscribers, resubscribes them and emits 'subscribersReady'.
 *
 * That resubscribe does not wait for Redis's reply, so after a 'subscribersReady' that follows a
 * loss ('-node', '-subscriber', 'close') the transport sends PING on every started subscriber
 * connection: its reply comes after the SSUBSCRIBE replies, and only then is `reconnect()` called.
 *
 * keyPrefix: ioredis treats shard channels as keys, so a client `keyPrefix` is added to SPUBLISH
 * and SSUBSCRIBE channels, and ioredis 6.0.0 adds it a second time when it resubscribes. The
 * duplicate is therefore made without a keyPrefix: the transport subscribes to the prefixed names
 * itself and strips the prefix from the messages it delivers.
 */
export class ShardedSubscriber implements PubSubSubscriber<Cluster> {
  private readonly slot: ConnectionSlot<Cluster>;
  private readonly channels = new Wanted();
  private readonly prefix: string;
  private lost = false;

  constructor(
    private readonly client: Cluster,
    private readonly handlers: TransportHandlers,
    private readonly name: string,
  ) {
    const prefix = (client.options as { keyPrefix?: unknown }).keyPrefix;
    this.prefix = typeof prefix === 'string' ? prefix : '';
    this.slot = new ConnectionSlot<Cluster>(name, quitClient);
  }

  get connection(): Cluster | undefined {
    return this.slot.current;
  }

  async start(): Promise<void> {
    const sub = this.client.duplicate([], {
      shardedSubscribers: true,
      lazyConnect: true,
      keyPrefix: '',
      redisOptions: { keyPrefix: '' },
    } as never) as Cluster;
    this.slot.attach(sub, () => {});
    const report = connectionErrorReporter(this.handlers, this.name, () => this.slot.closed);
    const loss = (): void => {
      this.lost = true;
    };
    sub.on('error', report);
    sub.on('node error', report);
    sub.on('-node', loss);
    sub.on('-subscriber', loss);
    sub.on('close', loss);
    sub.on('subscribersReady', () => this.onSubscribersReady());
    sub.on('smessage', (channel: string, message: string) => {
      if (!channel.startsWith(this.prefix)) return;
      const name = channel.slice(this.prefix.length);
      if (this.channels.has(name)) this.handlers.message(name, message, undefined);
    });
    try {
      await sub.connect();
    } catch (cause) {
      await this.close();
      throw connectionError(this.name, 'the subscriber cluster connection failed', cause);
    }
    // Startup replaces the seed nodes ('-node'): not a loss.
    this.lost = false;
  }

  subscribe(channels: readonly string[]): Promise<void> {
    return this.channels.add(channels, async (fresh) => {
      const sub = this.slot.live();
      // One SSUBSCRIBE per slot: ioredis refuses channels of several slots in one call.
      await Promise.all(this.bySlot(fresh).map((group) => sub.ssubscribe(...group)));
    });
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const held = this.channels.remove(channels);
    const sub = this.slot.current;
    if (held.length === 0 || sub === undefined) return;
    await Promise.all(this.bySlot(held).map((group) => sub.sunsubscribe(...group)));
  }

  psubscribe(): Promise<void> {
    return Promise.reject(shardedPatternsError(this.name));
  }

  /** Nothing can be pattern-subscribed, so nothing to undo. */
  async punsubscribe(): Promise<void> {}

  close(): Promise<void> {
    return this.slot.close();
  }

  /** Prefixed channel names grouped by hash slot. */
  private bySlot(names: readonly string[]): string[][] {
    return groupBySlot(
      names.map((name) => this.prefix + name),
      calculateSlot,
    );
  }

  private confirmDelay = CONFIRM_RETRY_MS;

  private onSubscribersReady(): void {
    if (!this.lost || this.slot.closed) return;
    this.lost = false;
    void this.confirmed().then((ok) => {
      if (this.slot.closed) return;
      if (ok && !this.lost) {
        this.confirmDelay = CONFIRM_RETRY_MS;
        this.handlers.reconnect();
        return;
      }
      // Not every subscriber is back yet, and ioredis may not say 'subscribersReady' again:
      // check again (20 ms, doubling to 1 s; a new loss meanwhile is handled the same way).
      this.lost = true;
      setTimeout(() => this.onSubscribersReady(), this.confirmDelay).unref();
      this.confirmDelay = Math.min(this.confirmDelay * 2, 1000);
    });
  }

  /**
   * True once every sharded subscriber is healthy (none ended: a failed start leaves one ended
   * until ioredis replaces it) and every connected one answered a PING, or if ioredis's internals
   * are not there to be checked.
   */
  private async confirmed(): Promise<boolean> {
    const sub = this.slot.current;
    if (sub === undefined) return false;
    const subscribers = shardedSubscribersOf(sub);
    // ioredis internals changed: no way to wait for the replies, report at once.
    if (subscribers === undefined) return true;
    if (this.channels.size > 0 && subscribers.length === 0) return false;
    if (!subscribers.every((subscriber) => subscriber.isHealthy())) return false;
    // Check every connection before sending any PING: a throw in the middle of sending them would
    // leave the PINGs already sent without a handler (an unhandled rejection if they fail).
    const instances = subscribers
      .filter((subscriber) => subscriber.isStarted())
      .map((subscriber) => subscriber.getInstance());
    if (instances.some((instance) => instance === null || instance.status !== 'ready'))
      return false;
    try {
      await Promise.all(instances.map((instance) => instance?.ping()));
      return true;
    } catch {
      return false;
    }
  }
}

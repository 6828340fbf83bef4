import type { PubSubSubscriber, TransportHandlers } from '@cachekit/core';
import {
  ConnectionSlot,
  connectionError,
  connectionErrorReporter,
  groupBySlot,
  shardedPatternsError,
} from '@cachekit/core';
import calculateSlot from 'cluster-key-slot';
import {
  connectOrFail,
  type NodeRedisPubSubCluster,
  type NodeRedisPubSubNode,
  type NodeRedisPubSubType,
  shut,
} from './transport-client.js';
import { SubscriptionListeners } from './transport-listeners.js';

/** While a loss is not repaired yet, how often the subscriptions are checked. */
const CHECK_INTERVAL_MS = 20;

/** `node` is connected, ready, and holds every one of `names` (node-redis adds a name on Redis's reply). */
function holds(
  node: NodeRedisPubSubNode | undefined,
  type: NodeRedisPubSubType,
  names: readonly string[],
): boolean {
  if (names.length === 0) return true;
  if (node === undefined || node.connectPromise !== undefined || !node.client.isReady) return false;
  const held = node.client.getPubSubListeners(type);
  return names.every((name) => held.has(name));
}

/**
 * A duplicate of the user's cluster (`minimizeConnections`: it only opens the connections that
 * pub/sub needs). Sharded: node-redis keeps one subscriber client per master owning a subscribed
 * channel's slot, routes SSUBSCRIBE by slot and follows slot moves; classic: one client on a random
 * node. Each node client reconnects and resubscribes by itself.
 *
 * A loss ('node-error', 'node-reconnecting', 'node-disconnect') is repaired once every wanted
 * channel and pattern is held again by a ready node client, i.e. Redis confirmed it; that is
 * checked on each 'node-ready' and every 20 ms meanwhile (the client that held a channel may have
 * been replaced by a topology change, which emits nothing when its resubscribe completes). Then
 * `reconnect()` is called.
 */
export class ClusterSubscriber implements PubSubSubscriber<NodeRedisPubSubCluster> {
  private readonly slot: ConnectionSlot<NodeRedisPubSubCluster>;
  private readonly wanted: SubscriptionListeners;
  private lost = false;
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: NodeRedisPubSubCluster,
    private readonly sharded: boolean,
    private readonly handlers: TransportHandlers,
    private readonly name: string,
  ) {
    this.wanted = new SubscriptionListeners(handlers);
    this.slot = new ConnectionSlot<NodeRedisPubSubCluster>(name, shut);
  }

  get connection(): NodeRedisPubSubCluster | undefined {
    return this.slot.current;
  }

  async start(): Promise<void> {
    const sub = this.client.duplicate({ minimizeConnections: true });
    this.slot.attach(sub, () => {});
    const report = connectionErrorReporter(this.handlers, this.name, () => this.slot.closed);
    const loss = (): void => this.onLoss();
    sub.on('error', report);
    sub.on('sharded-channel-moved-error', report);
    sub.on('node-error', (error: Error) => {
      report(error);
      loss();
    });
    sub.on('node-reconnecting', loss);
    sub.on('node-disconnect', loss);
    sub.on('node-ready', () => this.check());
    try {
      await connectOrFail(sub);
    } catch (cause) {
      await this.close();
      throw connectionError(this.name, 'the subscriber cluster connection failed', cause);
    }
  }

  subscribe(channels: readonly string[]): Promise<void> {
    const { onMessage } = this.wanted;
    return this.wanted.channels.add(channels, async (fresh) => {
      const sub = this.slot.live();
      if (!this.sharded) {
        await sub.subscribe(fresh, onMessage);
        return;
      }
      // One SSUBSCRIBE per slot: node-redis routes it by its first channel.
      const groups = groupBySlot(fresh, calculateSlot);
      await Promise.all(groups.map((group) => sub.sSubscribe(group, onMessage)));
    });
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    if (this.sharded) {
      return Promise.reject(shardedPatternsError(this.name));
    }
    return this.wanted.patterns.add(patterns, async (fresh) => {
      const sub = this.slot.live();
      await Promise.all(
        fresh.map((pattern) => sub.pSubscribe([pattern], this.wanted.forPattern(pattern))),
      );
    });
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const held = this.wanted.channels.remove(channels);
    const sub = this.slot.current;
    if (held.length === 0 || sub === undefined) return;
    if (!this.sharded) await sub.unsubscribe(held);
    else
      await Promise.all(groupBySlot(held, calculateSlot).map((group) => sub.sUnsubscribe(group)));
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    const held = this.wanted.removePatterns(patterns);
    const sub = this.slot.current;
    if (held.length > 0 && sub !== undefined) await sub.pUnsubscribe(held);
  }

  close(): Promise<void> {
    clearInterval(this.checkTimer);
    return this.slot.close();
  }

  private onLoss(): void {
    if (this.slot.closed) return;
    this.lost = true;
    if (this.checkTimer === undefined) {
      this.checkTimer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
      this.checkTimer.unref();
    }
  }

  /** After a loss: once every subscription is held again, report the reconnect. */
  private check(): void {
    if (!this.lost || this.slot.closed || !this.restored()) return;
    this.lost = false;
    clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    this.handlers.reconnect();
  }

  private restored(): boolean {
    const sub = this.slot.current;
    if (sub === undefined) return false;
    if (this.sharded) {
      return this.wanted.channels
        .names()
        .every((channel) =>
          holds(sub.slots[calculateSlot(channel)]?.master.pubSub, 'SHARDED', [channel]),
        );
    }
    const channels = this.wanted.channels.names();
    const patterns = this.wanted.patterns.names();
    if (channels.length === 0 && patterns.length === 0) return true;
    return (
      holds(sub.pubSubNode, 'CHANNELS', channels) && holds(sub.pubSubNode, 'PATTERNS', patterns)
    );
  }
}

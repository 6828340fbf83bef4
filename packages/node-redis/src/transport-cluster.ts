import { connectionError, type TransportHandlers, UnsupportedError, Wanted } from '@cachekit/core';
import calculateSlot from 'cluster-key-slot';
import {
  connectOrFail,
  type NodeRedisMessageListener,
  type NodeRedisPubSubCluster,
  type NodeRedisPubSubNode,
  type NodeRedisPubSubType,
  shut,
} from './transport-client.js';
import type { Subscriber } from './transport-standalone.js';

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
export class ClusterSubscriber implements Subscriber {
  private sub: NodeRedisPubSubCluster | undefined;
  private readonly channels = new Wanted();
  private readonly patterns = new Wanted();
  private readonly patternListeners = new Map<string, NodeRedisMessageListener>();
  private lost = false;
  private closed = false;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly onMessage: NodeRedisMessageListener = (message, channel) => {
    if (this.channels.has(channel)) this.handlers.message(channel, message, undefined);
  };

  constructor(
    private readonly client: NodeRedisPubSubCluster,
    private readonly sharded: boolean,
    private readonly handlers: TransportHandlers,
    private readonly name: string,
  ) {}

  get connection(): NodeRedisPubSubCluster | undefined {
    return this.sub;
  }

  async start(): Promise<void> {
    const sub = this.client.duplicate({ minimizeConnections: true });
    this.sub = sub;
    const report = (error: Error): void => {
      if (!this.closed) {
        this.handlers.error(connectionError(this.name, 'subscriber connection error', error));
      }
    };
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
    return this.channels.add(channels, async (fresh) => {
      const sub = this.live();
      if (!this.sharded) {
        await sub.subscribe(fresh, this.onMessage);
        return;
      }
      // One SSUBSCRIBE per slot: node-redis routes it by its first channel.
      await Promise.all(this.bySlot(fresh).map((group) => sub.sSubscribe(group, this.onMessage)));
    });
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    if (this.sharded) {
      return Promise.reject(
        new UnsupportedError(
          `${this.name}: sharded pub/sub has no patterns (capabilities.patterns is false); use sharded: false for PSUBSCRIBE`,
        ),
      );
    }
    return this.patterns.add(patterns, async (fresh) => {
      const sub = this.live();
      await Promise.all(
        fresh.map((pattern) => sub.pSubscribe([pattern], this.listenerFor(pattern))),
      );
    });
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const held = this.channels.remove(channels);
    const sub = this.sub;
    if (held.length === 0 || sub === undefined) return;
    if (!this.sharded) await sub.unsubscribe(held);
    else await Promise.all(this.bySlot(held).map((group) => sub.sUnsubscribe(group)));
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    const held = this.patterns.remove(patterns);
    for (const pattern of held) this.patternListeners.delete(pattern);
    if (held.length > 0 && this.sub !== undefined) await this.sub.pUnsubscribe(held);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.checkTimer);
    const sub = this.sub;
    this.sub = undefined;
    if (sub !== undefined) await shut(sub);
  }

  private live(): NodeRedisPubSubCluster {
    if (this.sub === undefined) throw new Error(`${this.name}: subscribe before start`);
    return this.sub;
  }

  private listenerFor(pattern: string): NodeRedisMessageListener {
    let listener = this.patternListeners.get(pattern);
    if (listener === undefined) {
      listener = (message, channel) => {
        if (this.patterns.has(pattern)) this.handlers.message(channel, message, pattern);
      };
      this.patternListeners.set(pattern, listener);
    }
    return listener;
  }

  private bySlot(names: readonly string[]): string[][] {
    const groups = new Map<number, string[]>();
    for (const name of names) {
      const slot = calculateSlot(name);
      const group = groups.get(slot);
      if (group === undefined) groups.set(slot, [name]);
      else group.push(name);
    }
    return [...groups.values()];
  }

  private onLoss(): void {
    if (this.closed) return;
    this.lost = true;
    if (this.checkTimer === undefined) {
      this.checkTimer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
      this.checkTimer.unref();
    }
  }

  /** After a loss: once every subscription is held again, report the reconnect. */
  private check(): void {
    if (!this.lost || this.closed || !this.restored()) return;
    this.lost = false;
    clearInterval(this.checkTimer);
    this.checkTimer = undefined;
    this.handlers.reconnect();
  }

  private restored(): boolean {
    const sub = this.sub;
    if (sub === undefined) return false;
    if (this.sharded) {
      return this.channels
        .names()
        .every((channel) =>
          holds(sub.slots[calculateSlot(channel)]?.master.pubSub, 'SHARDED', [channel]),
        );
    }
    const channels = this.channels.names();
    const patterns = this.patterns.names();
    if (channels.length === 0 && patterns.length === 0) return true;
    return (
      holds(sub.pubSubNode, 'CHANNELS', channels) && holds(sub.pubSubNode, 'PATTERNS', patterns)
    );
  }
}

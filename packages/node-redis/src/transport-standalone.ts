import {
  ConnectionSlot,
  connectionError,
  connectionErrorReporter,
  type PubSubSubscriber,
  type TransportHandlers,
} from '@cachekit/core';
import { connectOrFail, type NodeRedisPubSubClient, shut } from './transport-client.js';
import { SubscriptionListeners } from './transport-listeners.js';

/** Delay before retrying a resubscribe that failed on a live connection. */
const RESUBSCRIBE_RETRY_MS = 250;

const ignore = (): void => {};

/**
 * One duplicate of a single client. node-redis reconnects it by itself and, before it emits
 * 'ready' again, resubscribes every channel and pattern and waits for Redis's replies (its socket
 * initiator awaits them): so every 'ready' after the first is reported as `reconnect()` at once.
 * If the client is terminated (its reconnect strategy gave up), a new duplicate is made after a
 * backoff, subscribed, and reported as a reconnect as well.
 */
export class ClientSubscriber implements PubSubSubscriber<NodeRedisPubSubClient> {
  private readonly slot: ConnectionSlot<NodeRedisPubSubClient>;
  private readonly wanted: SubscriptionListeners;

  constructor(
    private readonly client: NodeRedisPubSubClient,
    private readonly handlers: TransportHandlers,
    private readonly name: string,
  ) {
    this.slot = new ConnectionSlot<NodeRedisPubSubClient>(name, shut);
    this.wanted = new SubscriptionListeners(handlers);
  }

  get connection(): NodeRedisPubSubClient | undefined {
    return this.slot.current;
  }

  async start(): Promise<void> {
    try {
      await connectOrFail(this.open(true));
    } catch (cause) {
      await this.close();
      throw connectionError(this.name, 'the subscriber connection failed', cause);
    }
  }

  subscribe(channels: readonly string[]): Promise<void> {
    return this.wanted.channels.add(channels, async (fresh) => {
      await this.slot.live().subscribe(fresh, this.wanted.onMessage);
    });
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    return this.wanted.patterns.add(patterns, async (fresh) => {
      const conn = this.slot.live();
      await Promise.all(
        fresh.map((pattern) => conn.pSubscribe([pattern], this.wanted.forPattern(pattern))),
      );
    });
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const held = this.wanted.channels.remove(channels);
    const conn = this.slot.current;
    // Even while reconnecting: node-redis would otherwise resubscribe them on 'ready'.
    if (held.length > 0 && conn?.isOpen === true) await conn.unsubscribe(held);
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    const held = this.wanted.removePatterns(patterns);
    const conn = this.slot.current;
    if (held.length > 0 && conn?.isOpen === true) await conn.pUnsubscribe(held);
  }

  close(): Promise<void> {
    return this.slot.close();
  }

  /** Duplicates the user's client and listens to it (always to 'error': node-redis throws otherwise). */
  private open(initial: boolean): NodeRedisPubSubClient {
    const conn = this.client.duplicate();
    let readies = 0;
    const onReady = (): void => {
      readies += 1;
      if (readies > 1) {
        // node-redis resubscribed this client before emitting 'ready'.
        this.handlers.reconnect();
        return;
      }
      this.slot.ready();
      if (!initial) void this.restore(conn);
    };
    const onError = connectionErrorReporter(this.handlers, this.name, () => this.slot.closed);
    const onTerminated = (): void => {
      if (!this.slot.closed && this.slot.current === conn) this.replace(conn);
    };
    conn.on('ready', onReady);
    conn.on('error', onError);
    conn.on('terminated', onTerminated);
    this.slot.attach(conn, () => {
      conn.off('ready', onReady);
      conn.off('terminated', onTerminated);
      // Keep an 'error' listener: a late socket error must not be thrown as an unhandled event.
      conn.off('error', onError);
      conn.on('error', ignore);
    });
    return conn;
  }

  /** Subscribes everything wanted on a new client, then reports the reconnect. */
  private async restore(conn: NodeRedisPubSubClient): Promise<void> {
    const channels = this.wanted.channels.names();
    try {
      await Promise.all([
        channels.length > 0 ? conn.subscribe(channels, this.wanted.onMessage) : undefined,
        ...this.wanted.patterns.names().map((p) => conn.pSubscribe([p], this.wanted.forPattern(p))),
      ]);
    } catch (cause) {
      if (!this.slot.closed && conn === this.slot.current) {
        this.handlers.error(
          connectionError(this.name, 'subscribing a new connection failed', cause),
        );
        // The client may stay connected with no new 'ready' to come: try again (the reconnect,
        // and so the gap, is reported once it succeeds).
        setTimeout(() => {
          if (!this.slot.closed && conn === this.slot.current) void this.restore(conn);
        }, RESUBSCRIBE_RETRY_MS).unref();
      }
      return;
    }
    if (!this.slot.closed && conn === this.slot.current) this.handlers.reconnect();
  }

  /** The client was terminated: make a new one after a backoff. */
  private replace(previous: NodeRedisPubSubClient): void {
    // Failures arrive as 'error' events; 'terminated' schedules the next replacement.
    this.slot.replaceLater(() => this.open(false).connect().catch(ignore));
    previous.destroy();
  }
}

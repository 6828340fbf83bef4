import { connectionError, StoreError, type TransportHandlers, Wanted } from '@cachekit/core';
import {
  connectOrFail,
  type NodeRedisMessageListener,
  type NodeRedisPubSubClient,
  type NodeRedisPubSubCluster,
  shut,
} from './transport-client.js';

/** What the transport needs from a subscriber, whichever connection layout it uses. */
export interface Subscriber {
  readonly connection: NodeRedisPubSubClient | NodeRedisPubSubCluster | undefined;
  /** Connects; if the first attempt fails, closes what it made and rejects. */
  start(): Promise<void>;
  subscribe(channels: readonly string[]): Promise<void>;
  unsubscribe(channels: readonly string[]): Promise<void>;
  psubscribe(patterns: readonly string[]): Promise<void>;
  punsubscribe(patterns: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Backoff between replacements of a client whose reconnect strategy gave up: 100 ms doubling to 2 s. */
const REPLACE_BASE_MS = 100;
const REPLACE_MAX_MS = 2_000;

const ignore = (): void => {};

/**
 * One duplicate of a single client. node-redis reconnects it by itself and, before it emits
 * 'ready' again, resubscribes every channel and pattern and waits for Redis's replies (its socket
 * initiator awaits them): so every 'ready' after the first is reported as `reconnect()` at once.
 * If the client is terminated (its reconnect strategy gave up), a new duplicate is made after a
 * backoff, subscribed, and reported as a reconnect as well.
 */
export class ClientSubscriber implements Subscriber {
  private conn: NodeRedisPubSubClient | undefined;
  private detachCurrent: () => void = ignore;
  private readonly channels = new Wanted();
  private readonly patterns = new Wanted();
  private readonly patternListeners = new Map<string, NodeRedisMessageListener>();
  private closed = false;
  private replacements = 0;
  private replaceTimer: NodeJS.Timeout | undefined;
  private readonly onMessage: NodeRedisMessageListener = (message, channel) => {
    if (this.channels.has(channel)) this.handlers.message(channel, message, undefined);
  };

  constructor(
    private readonly client: NodeRedisPubSubClient,
    private readonly handlers: TransportHandlers,
    private readonly name: string,
  ) {}

  get connection(): NodeRedisPubSubClient | undefined {
    return this.conn;
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
    return this.channels.add(channels, async (fresh) => {
      await this.live().subscribe(fresh, this.onMessage);
    });
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    return this.patterns.add(patterns, async (fresh) => {
      const conn = this.live();
      await Promise.all(
        fresh.map((pattern) => conn.pSubscribe([pattern], this.listenerFor(pattern))),
      );
    });
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const held = this.channels.remove(channels);
    // Even while reconnecting: node-redis would otherwise resubscribe them on 'ready'.
    if (held.length > 0 && this.conn?.isOpen === true) await this.conn.unsubscribe(held);
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    const held = this.patterns.remove(patterns);
    for (const pattern of held) this.patternListeners.delete(pattern);
    if (held.length > 0 && this.conn?.isOpen === true) await this.conn.pUnsubscribe(held);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.replaceTimer);
    const conn = this.conn;
    this.conn = undefined;
    if (conn === undefined) return;
    try {
      await shut(conn);
    } finally {
      this.detachCurrent();
    }
  }

  private live(): NodeRedisPubSubClient {
    if (this.conn === undefined) {
      throw new StoreError(`${this.name}: the subscriber connection is down (being replaced)`);
    }
    return this.conn;
  }

  /** One listener per pattern: node-redis passes the channel to it, not the pattern. */
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
      this.replacements = 0;
      if (!initial) void this.restore(conn);
    };
    const onError = (error: Error): void => {
      if (!this.closed) {
        this.handlers.error(connectionError(this.name, 'subscriber connection error', error));
      }
    };
    const onTerminated = (): void => {
      if (!this.closed && this.conn === conn) this.replace(conn);
    };
    conn.on('ready', onReady);
    conn.on('error', onError);
    conn.on('terminated', onTerminated);
    this.conn = conn;
    this.detachCurrent = () => {
      conn.off('ready', onReady);
      conn.off('terminated', onTerminated);
      // Keep an 'error' listener: a late socket error must not be thrown as an unhandled event.
      conn.off('error', onError);
      conn.on('error', ignore);
    };
    return conn;
  }

  /** Subscribes everything wanted on a new client, then reports the reconnect. */
  private async restore(conn: NodeRedisPubSubClient): Promise<void> {
    const channels = this.channels.names();
    try {
      await Promise.all([
        channels.length > 0 ? conn.subscribe(channels, this.onMessage) : undefined,
        ...this.patterns.names().map((p) => conn.pSubscribe([p], this.listenerFor(p))),
      ]);
    } catch (cause) {
      if (!this.closed && conn === this.conn) {
        this.handlers.error(
          connectionError(this.name, 'subscribing a new connection failed', cause),
        );
      }
      return;
    }
    if (!this.closed && conn === this.conn) this.handlers.reconnect();
  }

  /** The client was terminated: make a new one after a backoff. */
  private replace(previous: NodeRedisPubSubClient): void {
    this.detachCurrent();
    this.detachCurrent = ignore;
    this.conn = undefined;
    previous.destroy();
    const delay = Math.min(REPLACE_BASE_MS * 2 ** this.replacements, REPLACE_MAX_MS);
    this.replacements += 1;
    this.replaceTimer = setTimeout(() => {
      this.replaceTimer = undefined;
      if (this.closed) return;
      // Failures arrive as 'error' events; 'terminated' schedules the next replacement.
      this.open(false).connect().catch(ignore);
    }, delay);
    this.replaceTimer.unref();
  }
}

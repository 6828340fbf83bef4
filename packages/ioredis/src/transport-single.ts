import {
  ConnectionSlot,
  connectionError,
  connectionErrorReporter,
  type PubSubSubscriber,
  StoreError,
  type TransportHandlers,
  Wanted,
} from '@cachekit/core';
import type { Cluster, Redis } from 'ioredis';
import { quitClient } from './quit.js';

/** Delay before retrying a resubscribe that failed on a live connection. */
const RESUBSCRIBE_RETRY_MS = 250;

/** Makes a new, not yet connected, subscriber connection; `previous` is the one that ended. */
export type ConnectionSource = (previous: Redis | undefined) => Redis;

/**
 * Overrides of every subscriber connection: it is connected by the transport, and resubscribed by
 * it on 'ready' (ioredis's own `autoResubscribe` sends SUBSCRIBE without waiting for the reply, so
 * nobody could tell when the subscriptions are back, and a failure there is an unhandled rejection).
 */
export const SUBSCRIBER_OVERRIDES: { readonly lazyConnect: true; readonly autoResubscribe: false } =
  { lazyConnect: true, autoResubscribe: false };

const ignore = (): void => {};

/**
 * One subscriber connection (a standalone server, or one node of a Cluster in classic mode).
 * ioredis reconnects it by itself; each 'ready' after the first is a reconnect: the transport
 * resubscribes every wanted channel and pattern, waits for Redis to confirm, then calls
 * `handlers.reconnect()`. If the connection ends for good (its `retryStrategy` gave up), a new one
 * is made from `source` after a backoff, subscribed, and reported as a reconnect as well.
 */
export class SingleSubscriber implements PubSubSubscriber<Redis> {
  private readonly slot: ConnectionSlot<Redis>;
  private readonly channels = new Wanted();
  private readonly patterns = new Wanted();
  private generation = 0;

  constructor(
    private readonly source: ConnectionSource,
    private readonly handlers: TransportHandlers,
    private readonly name: string,
  ) {
    this.slot = new ConnectionSlot<Redis>(name, quitClient);
  }

  get connection(): Redis | undefined {
    return this.slot.current;
  }

  async start(): Promise<void> {
    let conn: Redis;
    try {
      conn = this.open(undefined, true);
      await conn.connect();
    } catch (cause) {
      await this.close();
      throw connectionError(this.name, 'the subscriber connection failed', cause);
    }
  }

  subscribe(channels: readonly string[]): Promise<void> {
    return this.channels.add(channels, async (fresh) => {
      await this.slot.live().subscribe(...fresh);
    });
  }

  psubscribe(patterns: readonly string[]): Promise<void> {
    return this.patterns.add(patterns, async (fresh) => {
      await this.slot.live().psubscribe(...fresh);
    });
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    const held = this.channels.remove(channels);
    // Not ready: the next 'ready' is a fresh connection, resubscribed with the wanted names only.
    const conn = this.slot.current;
    if (held.length > 0 && conn?.status === 'ready') await conn.unsubscribe(...held);
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    const held = this.patterns.remove(patterns);
    const conn = this.slot.current;
    if (held.length > 0 && conn?.status === 'ready') await conn.punsubscribe(...held);
  }

  close(): Promise<void> {
    return this.slot.close();
  }

  /** Makes a connection from `source` and listens to it. */
  private open(previous: Redis | undefined, initial: boolean): Redis {
    const conn = this.source(previous);
    let readies = 0;
    const onReady = (): void => {
      readies += 1;
      this.slot.ready();
      if (initial && readies === 1) return;
      void this.restore(conn);
    };
    const onError = connectionErrorReporter(this.handlers, this.name, () => this.slot.closed);
    const onEnd = (): void => {
      if (!this.slot.closed && this.slot.current === conn) this.replace(conn);
    };
    const onMessage = (channel: string, message: string): void => {
      if (this.channels.has(channel)) this.handlers.message(channel, message, undefined);
    };
    const onPmessage = (pattern: string, channel: string, message: string): void => {
      if (this.patterns.has(pattern)) this.handlers.message(channel, message, pattern);
    };
    conn.on('ready', onReady);
    conn.on('error', onError);
    conn.on('end', onEnd);
    conn.on('message', onMessage);
    conn.on('pmessage', onPmessage);
    this.slot.attach(conn, () => {
      conn.off('ready', onReady);
      conn.off('error', onError);
      conn.off('end', onEnd);
      conn.off('message', onMessage);
      conn.off('pmessage', onPmessage);
      // A late socket error on a dropped connection must not become an unhandled 'error' event.
      if (conn.listenerCount('error') === 0) conn.on('error', ignore);
    });
    return conn;
  }

  /** Resubscribes everything wanted on `conn`, then reports the reconnect. */
  private async restore(conn: Redis): Promise<void> {
    const generation = ++this.generation;
    const channels = this.channels.names();
    const patterns = this.patterns.names();
    try {
      await Promise.all([
        channels.length > 0 ? conn.subscribe(...channels) : undefined,
        patterns.length > 0 ? conn.psubscribe(...patterns) : undefined,
      ]);
    } catch (cause) {
      // A newer 'ready' (or a replacement) retries; report only a failure on the live connection.
      if (!this.slot.closed && conn === this.slot.current && generation === this.generation) {
        this.handlers.error(
          connectionError(this.name, 'resubscribing after a reconnect failed', cause),
        );
        // The socket may stay up with no new 'ready' to come: try again (the reconnect, and so
        // the gap, is reported once it succeeds).
        setTimeout(() => {
          if (!this.slot.closed && conn === this.slot.current && generation === this.generation) {
            void this.restore(conn);
          }
        }, RESUBSCRIBE_RETRY_MS).unref();
      }
      return;
    }
    if (this.slot.closed || conn !== this.slot.current || generation !== this.generation) return;
    this.handlers.reconnect();
  }

  /** The connection ended for good: make a new one after a backoff. */
  private replace(previous: Redis): void {
    this.slot.replaceLater(() => {
      let conn: Redis;
      try {
        conn = this.open(previous, false);
      } catch (cause) {
        this.handlers.error(connectionError(this.name, 'no connection to subscribe on', cause));
        this.replace(previous);
        return;
      }
      // Failures arrive as 'error' events; an 'end' schedules the next replacement.
      conn.connect().catch(ignore);
    });
  }
}

/** Node connections of a Cluster in classic mode: a few retries, then another node is used. */
const NODE_RETRIES = 5;
const nodeRetryStrategy = (times: number): number | null =>
  times > NODE_RETRIES ? null : Math.min(times * 100, 1_000);

const nodeKey = (redis: Redis): string => `${redis.options.host}:${redis.options.port}`;

/** The standalone layout: duplicates of the user's client. */
export function duplicateSource(client: Redis): ConnectionSource {
  return () => client.duplicate(SUBSCRIBER_OVERRIDES as never) as Redis;
}

/**
 * The classic Cluster layout: classic pub/sub messages reach every node, so one connection to any
 * node (a duplicate of the Cluster's connection to it) hears them all. A replacement prefers
 * another node than the one that was lost.
 */
export function clusterNodeSource(client: Cluster): ConnectionSource {
  return (previous) => {
    const nodes = client.nodes('all');
    const others =
      previous === undefined ? nodes : nodes.filter((n) => nodeKey(n) !== nodeKey(previous));
    const pool = others.length > 0 ? others : nodes;
    const node = pool[Math.floor(Math.random() * pool.length)];
    if (node === undefined) throw new StoreError('the Cluster knows no node yet');
    return node.duplicate({
      ...SUBSCRIBER_OVERRIDES,
      readOnly: false,
      retryStrategy: nodeRetryStrategy,
    } as never) as Redis;
  };
}

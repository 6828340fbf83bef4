/**
 * The pub/sub seam: what a driver package implements so that `@cachekit/pubsub` can carry
 * messages over its client. Strings only; envelopes, handler registries, iterators and gap
 * detection live in `@cachekit/pubsub`.
 */

/** Where a transport delivers what its subscriber connection receives. */
export interface TransportHandlers {
  /** A message on a subscribed channel; `pattern` is set when it matched a `psubscribe` pattern. */
  message(channel: string, message: string, pattern: string | undefined): void;
  /**
   * The subscriber connection was lost and is back, with every subscription restored. Messages
   * published meanwhile are lost (pub/sub is at-most-once): consumers must resynchronise.
   */
  reconnect(): void;
  /** A connection-level failure; reported, never thrown. */
  error(error: Error): void;
}

/** What a transport can do. */
export interface TransportCapabilities {
  /** `psubscribe` works (false for sharded pub/sub on Redis Cluster). */
  readonly patterns: boolean;
  /** Messages stay in this process (the in-memory transport). */
  readonly local: boolean;
}

export interface Transport {
  /** Short name for events and errors, e.g. `'ioredis'`. */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /**
   * Starts delivering to `handlers` over one dedicated subscriber connection. Called once, and
   * only by a consumer that will subscribe; if it rejects, the consumer makes a new transport.
   */
  connect(handlers: TransportHandlers): Promise<void>;
  /** Publishes on the publishing (regular) connection; works without `connect()`. */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes the dedicated connection to exact channels. Idempotent per channel. */
  subscribe(channels: readonly string[]): Promise<void>;
  unsubscribe(channels: readonly string[]): Promise<void>;
  /** Subscribes to Redis glob patterns (only if `capabilities.patterns`). */
  psubscribe(patterns: readonly string[]): Promise<void>;
  punsubscribe(patterns: readonly string[]): Promise<void>;
  /**
   * Releases what the transport created (its subscriber connection); clients passed in stay open.
   * Idempotent; consumers call it only if they called `connect()`.
   */
  close(): Promise<void>;
}

import { CacheError, ClosedError, InvalidOptionError, StoreError } from './errors.js';
import type { Transport, TransportCapabilities, TransportHandlers } from './transport.js';
import { connectionError, guardHandlers } from './transport-kit.js';

/**
 * What a driver's transport runs its subscriptions on, whichever connection layout it uses (one
 * connection, or a cluster's per-node ones). `C` is the driver's connection type.
 */
export interface PubSubSubscriber<C> {
  /** The connection subscribed on, for diagnostics; `undefined` while there is none. */
  readonly connection: C | undefined;
  /** Connects; if the first attempt fails, closes what it made and rejects. */
  start(): Promise<void>;
  subscribe(channels: readonly string[]): Promise<void>;
  unsubscribe(channels: readonly string[]): Promise<void>;
  psubscribe(patterns: readonly string[]): Promise<void>;
  punsubscribe(patterns: readonly string[]): Promise<void>;
  /** Idempotent. */
  close(): Promise<void>;
}

/** What a driver supplies to {@link PubSubTransport}: the parts that speak its client. */
export interface PubSubDriver<C> {
  /** The transport's `name`, e.g. `'ioredis'`. */
  readonly name: string;
  /** Starts error messages, e.g. `'ioredisTransport'`. */
  readonly label: string;
  /** SPUBLISH / SSUBSCRIBE instead of PUBLISH / SUBSCRIBE; patterns are unavailable when true. */
  readonly sharded: boolean;
  /** Makes the subscriber that will deliver to `handlers` (already guarded). */
  subscriber(handlers: TransportHandlers): PubSubSubscriber<C>;
  /** Runs before the subscriber starts (e.g. waits for a cluster's topology); may reject. */
  prepare?(): Promise<void>;
  /** Sends PUBLISH, or SPUBLISH when sharded, on the user's client. */
  publish(channel: string, message: string): Promise<unknown>;
}

/**
 * The driver-independent part of a Redis pub/sub `Transport`: the connect / close lifecycle, the
 * errors of calls made too early or too late, and the wrapping of driver failures as StoreErrors.
 */
export class PubSubTransport<C> implements Transport {
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  readonly sharded: boolean;
  private readonly label: string;
  private active: PubSubSubscriber<C> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly driver: PubSubDriver<C>) {
    this.name = driver.name;
    this.label = driver.label;
    this.sharded = driver.sharded;
    this.capabilities = Object.freeze({ patterns: !driver.sharded, local: false });
  }

  /** The connection subscribed on; `undefined` before `connect()` and after `close()`. */
  get subscriber(): C | undefined {
    return this.closing === undefined ? this.active?.connection : undefined;
  }

  async connect(handlers: TransportHandlers): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${this.label}: connect() after close()`);
    if (this.active !== undefined) {
      throw new StoreError(`${this.label}: connect() was already called`);
    }
    const subscriber = this.driver.subscriber(guardHandlers(handlers, this.label));
    this.active = subscriber;
    try {
      // No await without a prepare(): start() begins in the same tick as connect().
      if (this.driver.prepare !== undefined) await this.driver.prepare();
      await subscriber.start();
    } catch (error) {
      // Nothing is left running: connect() may be called again.
      await subscriber.close();
      if (this.active === subscriber) this.active = undefined;
      throw error;
    }
  }

  async publish(channel: string, message: string): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${this.label}: publish() after close()`);
    try {
      await this.driver.publish(channel, message);
    } catch (cause) {
      const command = this.sharded ? 'SPUBLISH' : 'PUBLISH';
      throw connectionError(this.label, `${command} to ${JSON.stringify(channel)} failed`, cause);
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
    run: (subscriber: PubSubSubscriber<C>) => Promise<void>,
  ): Promise<void> {
    if (this.closing !== undefined) throw new ClosedError(`${this.label}: ${what}() after close()`);
    if (this.active === undefined)
      throw new StoreError(`${this.label}: ${what}() before connect()`);
    try {
      await run(this.active);
    } catch (cause) {
      if (cause instanceof CacheError) throw cause;
      throw connectionError(this.label, `${what} failed`, cause);
    }
  }
}

/**
 * Validates a transport's `sharded` option: a boolean, defaulting to `cluster`, and `true` only on
 * a cluster (`needsCluster` is the error message otherwise).
 */
export function shardedOption(
  label: string,
  sharded: unknown,
  cluster: boolean,
  needsCluster: string,
): boolean {
  const value = sharded ?? cluster;
  if (typeof value !== 'boolean') {
    throw new InvalidOptionError(`${label}: sharded must be a boolean, got ${String(value)}.`);
  }
  if (value && !cluster) throw new InvalidOptionError(`${label}: ${needsCluster}`);
  return value;
}

/** Backoff before replacing a connection that ended for good: 100 ms doubling to 2 s. */
export function replaceDelay(replacements: number): number {
  return Math.min(100 * 2 ** replacements, 2_000);
}

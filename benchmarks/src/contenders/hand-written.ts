import { Redis } from 'ioredis';
import type { KeyReader, Loader, ReaderOptions } from './types.js';

/**
 * What a careful user writes by hand: parsed values in a bare `Map`, Redis behind it, and an
 * ioredis subscriber that deletes a key from the Map when another process announces its
 * invalidation. No TTL in process, no bounds, no single-flight: the ceiling of an L1 hit.
 */
export class HandWrittenL1 {
  readonly #map = new Map<string, unknown>();
  readonly #client: Redis;
  readonly #subscriber: Redis;
  readonly #channel: string;
  readonly #ttlMs: number;

  private constructor(
    client: Redis,
    subscriber: Redis,
    channel: string,
    ttlMs: number,
    onDropped: ((key: string) => void) | undefined,
  ) {
    this.#client = client;
    this.#subscriber = subscriber;
    this.#channel = channel;
    this.#ttlMs = ttlMs;
    subscriber.on('message', (_channel: string, key: string) => {
      this.#map.delete(key);
      onDropped?.(key);
    });
  }

  /**
   * Connects the client and the subscriber, resolving once the subscription is active.
   * `onDropped` runs right after an invalidation message removed a key from the Map (B6 times it).
   */
  static async connect(
    redisUrl: string,
    channel: string,
    ttlMs: number,
    onDropped?: (key: string) => void,
  ): Promise<HandWrittenL1> {
    const client = new Redis(redisUrl);
    const subscriber = client.duplicate();
    await subscriber.subscribe(channel);
    return new HandWrittenL1(client, subscriber, channel, ttlMs, onDropped);
  }

  async get(key: string, loader: Loader): Promise<unknown> {
    const local = this.#map.get(key);
    if (local !== undefined) return local;
    const raw = await this.#client.get(key);
    if (raw !== null) {
      const parsed: unknown = JSON.parse(raw);
      this.#map.set(key, parsed);
      return parsed;
    }
    const loaded = await loader();
    await this.#client.set(key, JSON.stringify(loaded), 'PX', this.#ttlMs);
    this.#map.set(key, loaded);
    return loaded;
  }

  /** Writes a new value to Redis and tells every process (this one included) to drop its copy. */
  async set(key: string, value: unknown): Promise<void> {
    await this.#client.set(key, JSON.stringify(value), 'PX', this.#ttlMs);
    await this.#client.publish(this.#channel, key);
    this.#map.delete(key);
  }

  /** Deletes the key in Redis and tells every process (this one included) to drop its copy. */
  async invalidate(key: string): Promise<void> {
    await this.#client.del(key);
    await this.#client.publish(this.#channel, key);
  }

  async close(): Promise<void> {
    await this.#subscriber.quit();
    await this.#client.quit();
  }
}

/** The hand-written Map + pub/sub loop as a reader of one key. */
export async function handWrittenReader(options: ReaderOptions): Promise<KeyReader> {
  const cache = await HandWrittenL1.connect(options.redisUrl, 'bench:invalidate', options.ttlMs);
  const { key, loader } = options;
  return {
    read: () => cache.get(key, loader),
    write: (value) => cache.set(key, value),
    close: () => cache.close(),
  };
}

import { LruMap } from '@cachekit/core';

/** Sequence numbers a publisher stamps: one counter per channel, starting at 1. */
export class PublisherSequences {
  readonly #counters: LruMap<number>;

  constructor(maxEntries: number) {
    this.#counters = new LruMap<number>({ maxEntries });
  }

  /** The number the next message on `channel` gets (not reserved until {@link commit}). */
  peek(channel: string): number {
    return (this.#counters.peek(channel) ?? 0) + 1;
  }

  commit(channel: string, seq: number): void {
    this.#counters.set(channel, seq, Number.POSITIVE_INFINITY);
  }
}

/**
 * The last sequence number seen per (source, channel) by one subscription, bounded (least recently
 * used pairs are forgotten: their next message is then taken as a first one, not as a gap).
 */
export class SubscriberSequences {
  readonly #last: LruMap<number>;

  constructor(maxEntries: number) {
    this.#last = new LruMap<number>({ maxEntries });
  }

  /**
   * Records `seq` and returns how many messages were skipped since the last one seen (0: none).
   * A number that goes back (the publisher forgot its counter) is accepted as a new start.
   */
  check(source: string, channel: string, seq: number): number {
    const key = `${source}\u0000${channel}`;
    const last = this.#last.get(key);
    this.#last.set(key, seq, Number.POSITIVE_INFINITY);
    return last === undefined || seq <= last ? 0 : seq - last - 1;
  }

  /** Forgets everything (after a reconnect, which is itself reported as a gap). */
  clear(): void {
    this.#last.clear();
  }

  get size(): number {
    return this.#last.count;
  }
}

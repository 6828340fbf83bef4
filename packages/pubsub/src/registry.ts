import { ClosedError, type Transport } from '@cachekit/core';
import { toTransportError } from './errors.js';
import type { Gap, Message } from './messages.js';
import { SubscriberSequences } from './sequences.js';

/** Exact channels and patterns are subscribed with different transport calls. */
export type TargetKind = 'channel' | 'pattern';

/** One consumer of a subscription: a handler wrapper or a stream. */
export interface Listener {
  message(message: Message): void;
  gap(gap: Gap): void;
  /** The bus is being disposed: stop (streams end). */
  end(): void;
}

/** One channel or pattern: its local listeners and its state on the transport. */
export class Entry {
  readonly listeners: Set<Listener> = new Set();
  readonly sequences: SubscriberSequences;
  /** Subscribed on the transport. */
  active = false;
  /** The loop bringing `active` in line with `listeners`, while one runs. */
  running: Promise<void> | undefined = undefined;

  constructor(
    readonly kind: TargetKind,
    readonly name: string,
    maxSequences: number,
  ) {
    this.sequences = new SubscriberSequences(maxSequences);
  }
}

/**
 * The per-process handler registry: any number of listeners per channel or pattern, over one
 * transport. The first listener of a name subscribes it, the last one to leave unsubscribes it;
 * concurrent changes are serialised per name, so the transport only ever sees one subscribe per
 * name however many listeners come and go.
 */
export class Registry {
  readonly #maps: Record<TargetKind, Map<string, Entry>> = {
    channel: new Map(),
    pattern: new Map(),
  };
  readonly #transport: Transport;
  readonly #connect: () => Promise<void>;
  readonly #maxSequences: number;
  #disposed = false;

  constructor(transport: Transport, connect: () => Promise<void>, maxSequences: number) {
    this.#transport = transport;
    this.#connect = connect;
    this.#maxSequences = maxSequences;
  }

  /** Registers `listener` now; resolves once the name is subscribed on the transport. */
  async add(kind: TargetKind, name: string, listener: Listener): Promise<void> {
    if (this.#disposed) throw new ClosedError('The bus was disposed: create a new one.');
    const map = this.#maps[kind];
    let entry = map.get(name);
    if (entry === undefined) {
      entry = new Entry(kind, name, this.#maxSequences);
      map.set(name, entry);
    }
    entry.listeners.add(listener);
    try {
      await this.#settle(entry);
    } catch (error) {
      entry.listeners.delete(listener);
      // Nothing else to report: the caller gets the error. Retries or cleans up the entry.
      this.#settle(entry).catch(() => undefined);
      throw toTransportError(error, this.#transport.name, `subscribe to ${kind} "${name}"`);
    }
    if (this.#disposed) throw new ClosedError('The bus was disposed while subscribing.');
  }

  /** Unregisters `listener`; resolves once the name is released if it was the last. */
  async remove(kind: TargetKind, name: string, listener: Listener): Promise<void> {
    const entry = this.#maps[kind].get(name);
    if (entry === undefined || !entry.listeners.delete(listener)) return;
    try {
      await this.#settle(entry);
    } catch (error) {
      throw toTransportError(error, this.#transport.name, `unsubscribe from ${kind} "${name}"`);
    }
  }

  lookup(kind: TargetKind, name: string): Entry | undefined {
    return this.#maps[kind].get(name);
  }

  /** Every entry, channels then patterns. */
  *entries(): IterableIterator<Entry> {
    yield* this.#maps.channel.values();
    yield* this.#maps.pattern.values();
  }

  /** Sizes, for `bus.stats()` and leak checks. */
  counts(): { channels: number; patterns: number; listeners: number } {
    let listeners = 0;
    for (const entry of this.entries()) listeners += entry.listeners.size;
    return { channels: this.#maps.channel.size, patterns: this.#maps.pattern.size, listeners };
  }

  /** Drops every listener (closing streams) and waits for subscription changes in flight. */
  async dispose(): Promise<void> {
    this.#disposed = true;
    const closing: Listener[] = [];
    const running: Promise<void>[] = [];
    for (const entry of this.entries()) {
      closing.push(...entry.listeners);
      entry.listeners.clear();
      if (entry.running !== undefined) running.push(entry.running);
    }
    for (const listener of closing) listener.end();
    await Promise.allSettled(running);
    this.#maps.channel.clear();
    this.#maps.pattern.clear();
  }

  #settle(entry: Entry): Promise<void> {
    if (entry.running !== undefined) return entry.running;
    if (entry.listeners.size > 0 === entry.active) {
      this.#forgetIfIdle(entry);
      return Promise.resolve();
    }
    const run = this.#run(entry);
    entry.running = run;
    return run;
  }

  async #run(entry: Entry): Promise<void> {
    // Always yield first, so that `entry.running` is set before the `finally` below clears it.
    await undefined;
    try {
      while (!this.#disposed && entry.listeners.size > 0 !== entry.active) {
        const subscribe = entry.listeners.size > 0;
        const names = [entry.name];
        if (subscribe) {
          await this.#connect();
          if (this.#disposed) break;
          await (entry.kind === 'channel'
            ? this.#transport.subscribe(names)
            : this.#transport.psubscribe(names));
        } else {
          await (entry.kind === 'channel'
            ? this.#transport.unsubscribe(names)
            : this.#transport.punsubscribe(names));
        }
        entry.active = subscribe;
        if (!subscribe) entry.sequences.clear();
      }
    } finally {
      entry.running = undefined;
      this.#forgetIfIdle(entry);
    }
  }

  #forgetIfIdle(entry: Entry): void {
    const map = this.#maps[entry.kind];
    if (!entry.active && entry.listeners.size === 0 && map.get(entry.name) === entry) {
      map.delete(entry.name);
    }
  }
}

import type { CacheError } from '@cachekit/core';
import type { Gap } from './messages.js';

/** A message that was dropped because it is not a valid envelope (or its payload is invalid). */
export interface MalformedEvent {
  readonly channel: string;
  readonly pattern: string | undefined;
  /** What is wrong, e.g. `'not JSON'`, `'"seq" is not a positive integer'`. */
  readonly reason: string;
  /** The first 256 characters of the raw message. */
  readonly raw: string;
}

/**
 * A valid message received for a live subscription (once per subscription it reached), before it
 * is handed to the subscription's handlers and streams. Only built while someone listens.
 */
export interface BusMessageEvent {
  readonly channel: string;
  /** The envelope's message type. */
  readonly type: string;
  /** The publishing bus's instance id. */
  readonly source: string;
  /**
   * Milliseconds from publication (the envelope's `ts`, on the publisher's clock) to receipt (this
   * bus's clock): includes any clock skew between the two processes.
   */
  readonly lag: number;
}

/** A failure the bus absorbed and kept serving. */
export interface BusErrorEvent {
  /**
   * - `handler`: a message handler or `onDrop` threw (a `HandlerError` with the thrown value as `cause`);
   * - `transport`: the transport reported a connection-level error (`TransportError`);
   * - `unsubscribe` / `dispose`: releasing a subscription or the transport failed.
   */
  readonly operation: 'handler' | 'transport' | 'unsubscribe' | 'dispose';
  /** The subscription (channel or pattern) concerned, if any. */
  readonly channel: string | undefined;
  readonly error: CacheError;
}

/** Event types of a bus and what their listeners receive. */
export interface BusEventMap {
  malformed: MalformedEvent;
  error: BusErrorEvent;
  gap: Gap;
  message: BusMessageEvent;
}

export type BusEventListener<K extends keyof BusEventMap> = (event: BusEventMap[K]) => void;

/**
 * A small typed emitter. Listeners run synchronously; one that throws is isolated (reported with
 * `process.emitWarning`), and an `error` nobody listens to is only counted, never thrown.
 */
export class BusEvents {
  readonly #listeners: { [K in keyof BusEventMap]: Set<BusEventListener<K>> } = {
    malformed: new Set(),
    error: new Set(),
    gap: new Set(),
    message: new Set(),
  };

  on<K extends keyof BusEventMap>(type: K, listener: BusEventListener<K>): () => void {
    const set = this.#listeners[type] as Set<BusEventListener<K>>;
    // A wrapper per call, so that the same function subscribed twice is two subscriptions.
    const wrapper: BusEventListener<K> = (event) => listener(event);
    set.add(wrapper);
    return () => {
      set.delete(wrapper);
    };
  }

  /** Whether anyone listens to `type`: events are only built when someone does. */
  has(type: keyof BusEventMap): boolean {
    return this.#listeners[type].size > 0;
  }

  emit<K extends keyof BusEventMap>(type: K, event: BusEventMap[K]): void {
    for (const listener of this.#listeners[type] as Set<BusEventListener<K>>) {
      try {
        listener(event);
      } catch (error) {
        process.emitWarning(
          `cachekit: a bus "${type}" listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'CACHEKIT_LISTENER_ERROR' },
        );
      }
    }
  }

  /** Listeners registered, all types together. */
  get size(): number {
    const { malformed, error, gap, message } = this.#listeners;
    return malformed.size + error.size + gap.size + message.size;
  }

  clear(): void {
    for (const set of Object.values(this.#listeners)) set.clear();
  }
}

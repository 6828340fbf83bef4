import { StoreError, UnsupportedError } from './errors.js';
import type { TransportHandlers } from './transport.js';

/**
 * The channels (or patterns) a subscriber should hold, each with the promise of the command that
 * subscribed it. It is the source of truth for resubscribing after a reconnect and for dropping
 * messages that arrive after `unsubscribe`.
 */
/**
 * Helpers for transport implementers (the driver packages): the set of subscriptions a connection
 * should hold, handler guards and connection errors. Not needed by applications.
 */
export class Wanted {
  private readonly entries = new Map<string, Promise<void>>();

  has(name: string): boolean {
    return this.entries.has(name);
  }

  get size(): number {
    return this.entries.size;
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Sends a subscribe for the names not held yet and resolves once every name in `names` is
   * subscribed (idempotent per name). A failed send forgets the names it was sending.
   */
  add(names: readonly string[], send: (fresh: string[]) => Promise<void>): Promise<void> {
    const fresh = [...new Set(names)].filter((name) => !this.entries.has(name));
    if (fresh.length > 0) {
      const pending: Promise<void> = send(fresh).catch((error: unknown) => {
        for (const name of fresh) {
          if (this.entries.get(name) === pending) this.entries.delete(name);
        }
        throw error;
      });
      for (const name of fresh) this.entries.set(name, pending);
    }
    return Promise.all(names.map((name) => this.entries.get(name))).then(() => undefined);
  }

  /** Forgets `names` and returns those that were held (the ones to unsubscribe). */
  remove(names: readonly string[]): string[] {
    const held = [...new Set(names)].filter((name) => this.entries.has(name));
    for (const name of held) this.entries.delete(name);
    return held;
  }
}

/**
 * Wraps handlers so that one that throws cannot break the driver's reply parsing: a throwing
 * `message` or `reconnect` handler is reported through `error`, and a throwing `error` handler is
 * ignored.
 */
export function guardHandlers(handlers: TransportHandlers, name: string): TransportHandlers {
  const error = (failure: Error): void => {
    try {
      handlers.error(failure);
    } catch {
      // nowhere left to report it
    }
  };
  const thrown = (what: string, cause: unknown): void =>
    error(new StoreError(`${name}: the ${what} handler threw`, { cause }));
  return {
    message(channel, message, pattern) {
      try {
        handlers.message(channel, message, pattern);
      } catch (cause) {
        thrown('message', cause);
      }
    },
    reconnect() {
      try {
        handlers.reconnect();
      } catch (cause) {
        thrown('reconnect', cause);
      }
    },
    error,
  };
}

/** A connection-level failure as a StoreError that keeps the driver's error as `cause`. */
export function connectionError(name: string, what: string, cause: unknown): StoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new StoreError(`${name}: ${what}: ${detail}`, { cause });
}

/**
 * A listener for a subscriber connection's 'error' events: reports each as a `connectionError`
 * through `handlers.error`, unless the subscriber is `closed()` (errors of a closing connection are
 * expected).
 */
export function connectionErrorReporter(
  handlers: TransportHandlers,
  name: string,
  closed: () => boolean,
): (error: Error) => void {
  return (error) => {
    if (!closed()) handlers.error(connectionError(name, 'subscriber connection error', error));
  };
}

/** Channel names grouped by `slotOf` (a Redis Cluster hash slot), in first-seen order. */
export function groupBySlot(
  names: readonly string[],
  slotOf: (name: string) => number,
): string[][] {
  const groups = new Map<number, string[]>();
  for (const name of names) {
    const slot = slotOf(name);
    const group = groups.get(slot);
    if (group === undefined) groups.set(slot, [name]);
    else group.push(name);
  }
  return [...groups.values()];
}

/** The refusal of PSUBSCRIBE by a transport in sharded mode. */
export function shardedPatternsError(name: string): UnsupportedError {
  return new UnsupportedError(
    `${name}: sharded pub/sub has no patterns (capabilities.patterns is false); use sharded: false for PSUBSCRIBE`,
  );
}

import { type CacheError, ClosedError, CorruptEntryError } from './errors.js';
import { CacheEvents } from './events.js';
import { Flights } from './flights.js';
import type { ResolvedCacheOptions } from './options.js';
import type { Store } from './store.js';
import { StoreRunner } from './store-runner.js';

/** Invalidates what one registered definition cached for an event; returns when done. */
export type EventInvalidator = (event: string, payload: unknown) => Promise<void>;

/** State shared by a cache and all its namespaces: one store, one event stream, one flight table. */
export class CacheContext {
  readonly options: ResolvedCacheOptions;
  readonly runner: StoreRunner;
  readonly events: CacheEvents = new CacheEvents();
  readonly flights: Flights = new Flights();
  readonly ownsStore: boolean;
  /** Definitions that map an event's payload to the ids it invalidates, by event name. */
  readonly eventInvalidators: Map<string, Set<EventInvalidator>> = new Map();
  closed = false;

  constructor(store: Store, options: ResolvedCacheOptions, ownsStore: boolean) {
    this.options = options;
    this.ownsStore = ownsStore;
    this.runner = new StoreRunner(store, options.timeout);
  }

  get store(): Store {
    return this.runner.store;
  }

  assertOpen(operation: string): void {
    if (this.closed) throw new ClosedError(`cache.${operation}() was called after cache.close().`);
  }

  /**
   * Reports a failure the cache absorbs (an `error` event), then throws it if the user opted into
   * `throwOnStoreError`. Corrupt entries heal themselves and are never thrown.
   */
  fail(operation: string, error: CacheError, namespace: string, key?: string): void {
    if (this.events.has('error')) {
      this.events.emit({
        type: 'error',
        operation,
        error,
        namespace,
        duration: 0,
        ...(key === undefined ? {} : { key }),
      });
    }
    if (this.options.throwOnStoreError && !(error instanceof CorruptEntryError)) throw error;
  }
}

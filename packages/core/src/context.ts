import {
  type CacheError,
  ClosedError,
  CorruptEntryError,
  StoreError,
  StoreTimeoutError,
} from './errors.js';
import { CacheEvents } from './events.js';
import { Flights } from './flights.js';
import { LocalTier } from './l1.js';
import { globToRegExp } from './memory/glob.js';
import type { ResolvedCacheOptions } from './options.js';
import type { Store } from './store.js';
import { StoreRunner } from './store-runner.js';
import type { CacheSync, InvalidationMessage } from './sync.js';
import type { SyncLink } from './sync-link.js';

/** Invalidates what one registered definition cached for an event; returns when done. */
export type EventInvalidator = (
  event: string,
  payload: unknown,
  broadcast: boolean,
) => Promise<void>;

/** L1 hits of one namespace path: a plain number, shared by every `Cache` object of that path. */
export interface HitCounter {
  count: number;
}

/** State shared by a cache and all its namespaces: one store, one event stream, one flight table. */
export class CacheContext {
  readonly options: ResolvedCacheOptions;
  readonly runner: StoreRunner;
  readonly events: CacheEvents = new CacheEvents();
  readonly flights: Flights = new Flights();
  readonly ownsStore: boolean;
  /** Definitions that map an event's payload to the ids it invalidates, by event name. */
  readonly eventInvalidators: Map<string, Set<EventInvalidator>> = new Map();
  /** The in-process tier of parsed values, when enabled. */
  readonly l1: LocalTier | undefined;
  /** The bus link that keeps other processes' L1 in sync, when given. */
  readonly sync: CacheSync | undefined;
  /** Set by createCache when `sync` is given. */
  link: SyncLink | undefined;
  closed = false;
  /** L1 hits per namespace path (see {@link CacheContext.l1HitCounter}). */
  readonly #l1Hits = new Map<string, HitCounter>();

  constructor(store: Store, options: ResolvedCacheOptions, ownsStore: boolean) {
    this.options = options;
    this.ownsStore = ownsStore;
    this.runner = new StoreRunner(store, options.timeout, options.circuitBreaker);
    this.l1 = options.l1 === undefined ? undefined : new LocalTier(options.l1);
    this.sync = options.sync;
    this.runner.breaker?.onStateChange((state, previous) => {
      if (!this.events.has('circuit')) return;
      this.events.emit({
        type: 'circuit',
        state,
        previous,
        namespace: options.namespace,
        duration: 0,
      });
    });
  }

  /**
   * The L1 hit counter of a namespace path, created on first use. A `Cache` looks it up on its
   * first L1 hit (so a namespace that never hits L1 adds nothing here), then increments it on
   * every L1 hit, listened to or not.
   */
  l1HitCounter(namespace: string): HitCounter {
    let counter = this.#l1Hits.get(namespace);
    if (counter === undefined) {
      counter = { count: 0 };
      this.#l1Hits.set(namespace, counter);
    }
    return counter;
  }

  /** A snapshot of the L1 hit counts, by namespace path. */
  l1HitCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [namespace, counter] of this.#l1Hits) counts.set(namespace, counter.count);
    return counts;
  }

  /**
   * Applies an invalidation to this process: L1 copies dropped and loads in flight detached so
   * they store nothing. Called before and after the store is changed locally, and for messages
   * from other processes.
   */
  invalidateLocally(message: InvalidationMessage): void {
    const { keys, tags, patterns, flush } = message;
    const l1 = this.l1;
    if (flush === true) {
      l1?.flush();
      this.flights.invalidateMatching(() => true);
      return;
    }
    if (keys !== undefined && keys.length > 0) {
      l1?.deleteKeys(keys);
      for (const key of keys) this.flights.invalidateKey(key);
    }
    if (tags !== undefined && tags.length > 0) {
      l1?.invalidateTags(tags);
      this.flights.invalidateTags(new Set(tags));
    }
    for (const pattern of patterns ?? []) {
      const regexp = globToRegExp(pattern);
      const test = (key: string): boolean => regexp.test(key);
      l1?.deleteMatching(test);
      this.flights.invalidateMatching(test);
    }
  }

  /**
   * Tells other processes (after the store changed, or failed to). Bounded by `timeout`; never
   * throws: failures are reported.
   */
  async broadcast(message: InvalidationMessage, namespace: string): Promise<void> {
    if (this.sync === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.sync.publish(message),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new StoreTimeoutError(
                  `Publishing an invalidation took longer than ${this.options.timeout} ms.`,
                ),
              ),
            this.options.timeout,
          );
          timer.unref?.();
        }),
      ]);
    } catch (error) {
      this.report('sync', toCacheError(error), namespace);
    } finally {
      clearTimeout(timer);
    }
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
    this.report(operation, error, namespace, key);
    if (this.options.throwOnStoreError && !(error instanceof CorruptEntryError)) throw error;
  }

  /** Reports a failure as an `error` event, and nothing else (for background work: never throws). */
  report(operation: string, error: CacheError, namespace: string, key?: string): void {
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
  }
}

function toCacheError(error: unknown): CacheError {
  if (error instanceof Error && 'code' in error && typeof (error as CacheError).code === 'string') {
    return error as CacheError;
  }
  return new StoreError(
    `Publishing an invalidation failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      cause: error,
    },
  );
}

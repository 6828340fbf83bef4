import type { CacheError } from './errors.js';

/** Fields every cache event carries. */
interface BaseEvent {
  /** Namespace path of the key space, e.g. `fleet:miner`: a bounded label, never a raw key. */
  readonly namespace: string;
  /**
   * Milliseconds the operation took, from `performance.now()`. An L1 hit takes nanoseconds: its
   * `duration` is ~0. A `coalesced` event's is the time its caller waited for the shared flight.
   */
  readonly duration: number;
}

/**
 * Set on the `hit`, `miss` and `stale` events of a caller that joined a read already in flight for
 * the same key in this process (single-flight) instead of reading the store itself: when the
 * flight settles, each joiner gets the outcome of the caller that started it (`hit` of tier `l2`
 * when the store had the value; `miss` when it loaded, failed or served stale; `stale` too when
 * it served an expired value). So hits and misses count callers, not store reads.
 */
interface ReadEvent extends BaseEvent {
  readonly key: string;
  /** The caller joined a read in flight (see above); absent for the caller that started it. */
  readonly coalesced?: true;
}

/** A read served from the cache. */
export interface HitEvent extends ReadEvent {
  readonly type: 'hit';
  /** Where the value came from: this process's L1, or the store (L2). */
  readonly tier: 'l1' | 'l2';
}
/** A read the cache could not serve (missing, expired, invalidated by a tag, or corrupt). */
export interface MissEvent extends ReadEvent {
  readonly type: 'miss';
}
/**
 * An expired value served while a refresh runs or the source fails (stale-while-revalidate,
 * stale-if-error). Its read was reported as a `miss` first.
 */
export interface StaleEvent extends ReadEvent {
  readonly type: 'stale';
}
/** A value written to the store. `stored` is false when a guard refused a stale write. */
export interface SetEvent extends BaseEvent {
  readonly type: 'set';
  readonly key: string;
  readonly stored: boolean;
}
/** Keys deleted (by key or by pattern). */
export interface DeleteEvent extends BaseEvent {
  readonly type: 'delete';
  readonly keys: readonly string[];
  readonly pattern?: string;
}
/** Tags invalidated, an invalidating event applied, or another process's invalidation received. */
export interface InvalidateEvent extends BaseEvent {
  readonly type: 'invalidate';
  /** Tags (as given locally; tag store keys when `remote`). */
  readonly tags: readonly string[];
  readonly event?: string;
  /** Set when the invalidation came from another process through the bus. */
  readonly remote?: boolean;
  /** Store keys dropped (remote invalidations). */
  readonly keys?: readonly string[];
  /** Store patterns dropped (remote invalidations). */
  readonly patterns?: readonly string[];
  /** Every L1 copy dropped (a gap, or a remote flush). */
  readonly flush?: boolean;
}
/** A failure the cache absorbed (fail-open) or is about to throw. */
export interface ErrorEvent extends BaseEvent {
  readonly type: 'error';
  /** The cache operation, e.g. `'get'`, `'set'`, `'invalidateTags'`. */
  readonly operation: string;
  readonly key?: string;
  readonly error: CacheError;
}

/**
 * A loader run by the cache settled (cache-aside miss, background refresh, warming, definitions).
 * `duration` is the loader's own time. Not emitted for `NO_CACHE` entries, whose loader runs
 * directly, nor when another process's lock holder stored the value first.
 */
export interface LoadEvent extends BaseEvent {
  readonly type: 'load';
  readonly key: string;
  /** `'timeout'` when the load passed its `hardTimeout`; `'error'` when the loader threw. */
  readonly outcome: 'ok' | 'error' | 'timeout';
}
/**
 * The store's circuit breaker changed state. `namespace` is the root namespace (the breaker guards
 * the store of every namespace); `duration` is 0. A circuit open for `openFor` becomes half-open
 * only when the next call asks, so `'half-open'` arrives with that call.
 */
export interface CircuitEvent extends BaseEvent {
  readonly type: 'circuit';
  readonly state: 'open' | 'half-open' | 'closed';
  readonly previous: 'open' | 'half-open' | 'closed';
}

export type CacheEvent =
  | HitEvent
  | MissEvent
  | StaleEvent
  | SetEvent
  | DeleteEvent
  | InvalidateEvent
  | ErrorEvent
  | LoadEvent
  | CircuitEvent;
export type CacheEventType = CacheEvent['type'];
export type CacheEventOf<T extends CacheEventType> = Extract<CacheEvent, { type: T }>;
export type CacheEventListener<T extends CacheEventType> = (event: CacheEventOf<T>) => void;

/** Options of `cache.on()`. */
export interface CacheListenOptions {
  /**
   * Receive `hit` events of tier `'l1'`. An L1 hit costs tens of nanoseconds, so when no listener
   * wants them the cache builds no event and reads no clock on that path; L1 hits are still
   * counted per namespace (`cache.l1HitCounts()`). Default: `true`.
   */
  l1Hits?: boolean;
}

/** Every event type, as `'*'` subscribes to them: `load` and `circuit` included. */
const ALL_TYPES: readonly CacheEventType[] = [
  'hit',
  'miss',
  'stale',
  'set',
  'delete',
  'invalidate',
  'error',
  'load',
  'circuit',
];

interface Registration {
  readonly fn: (event: CacheEvent) => void;
  readonly l1Hits: boolean;
}

/**
 * One typed stream of cache events. Listeners run synchronously; one that throws is isolated
 * (reported to `process.emitWarning`) and never breaks the cache operation.
 * When nobody listens to a type, the cache does not even build its events.
 */
export class CacheEvents {
  readonly #listeners = new Map<CacheEventType, Registration[]>();
  /** True while anyone listens to anything. */
  active = false;
  /** True while a `hit` listener wants L1 hits: the L1 paths check it before building an event. */
  l1Hits = false;
  /** True while anyone listens to `hit`, `miss` or `stale`: joiners of a flight are then reported. */
  reads = false;

  /**
   * Subscribes to one event type, or `'*'` for all of them (`load` and `circuit` included). Returns
   * the function that unsubscribes. A listener gets the events of the operations that end after
   * it subscribed, timed from their start (a caller that joined a flight while nobody listened to
   * reads is not reported).
   */
  on<T extends CacheEventType>(
    type: T | '*',
    listener: CacheEventListener<T>,
    options?: CacheListenOptions,
  ): () => void {
    const types: readonly CacheEventType[] = type === '*' ? ALL_TYPES : [type];
    const registration: Registration = {
      fn: listener as (event: CacheEvent) => void,
      l1Hits: options?.l1Hits !== false,
    };
    for (const t of types) {
      const list = this.#listeners.get(t) ?? [];
      this.#listeners.set(t, [...list, registration]);
    }
    this.#update();
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      for (const t of types) {
        const list = (this.#listeners.get(t) ?? []).filter((r) => r !== registration);
        if (list.length === 0) this.#listeners.delete(t);
        else this.#listeners.set(t, list);
      }
      this.#update();
    };
  }

  /** Whether anyone listens to `type` (for `hit`: to L1 hits, L2 hits or both). */
  has(type: CacheEventType): boolean {
    return this.#listeners.has(type);
  }

  emit(event: CacheEvent): void {
    const list = this.#listeners.get(event.type);
    if (list === undefined) return;
    const l1Hit = event.type === 'hit' && event.tier === 'l1';
    for (const registration of list) {
      if (l1Hit && !registration.l1Hits) continue;
      try {
        registration.fn(event);
      } catch (error) {
        process.emitWarning(
          `cachekit: a "${event.type}" event listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'CACHEKIT_LISTENER_ERROR' },
        );
      }
    }
  }

  #update(): void {
    const listeners = this.#listeners;
    this.active = listeners.size > 0;
    this.reads = listeners.has('hit') || listeners.has('miss') || listeners.has('stale');
    this.l1Hits = (this.#listeners.get('hit') ?? []).some((r) => r.l1Hits);
  }
}

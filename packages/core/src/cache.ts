import { CacheContext, type HitCounter } from './context.js';
import { type CacheDefinition, type DefinitionOptions, defineEntry } from './definition.js';
import { EntryIo, type EntryPlan, MISS, Stale, UNAVAILABLE } from './entry-io.js';
import { type CacheError, ClosedError, UnsupportedError } from './errors.js';
import type { CacheEventListener, CacheEventType, CacheListenOptions } from './events.js';
import { type KeyInput, KeySpace } from './keys.js';
import { L1_MISS } from './l1.js';
import { type Loader, runLoader } from './loader-run.js';
import { memoryStore } from './memory/memory-store.js';
import { type CacheOptions, resolveOptions } from './options.js';
import { type EntryOptions, eventTag, resolvePlan } from './plan.js';
import { readThrough } from './read-through.js';
import type { CircuitState } from './resilience/circuit-breaker.js';
import { SyncLink } from './sync-link.js';

export { type EntryOptions, eventTag } from './plan.js';

/**
 * The cache: cache-aside with single-flight, write-through definitions, O(1) tag invalidation,
 * and guarded writes so that no load that began before an invalidation stores its result.
 * Create it with {@link createCache}; `namespace()` gives child caches sharing everything but keys.
 */
export class Cache {
  readonly #ctx: CacheContext;
  readonly #keys: KeySpace;
  readonly #defaultPlan: EntryPlan;
  readonly #plans = new WeakMap<EntryOptions, EntryPlan>();
  /**
   * L1 hits of this namespace path, shared with every other `Cache` object of the same path; looked
   * up on the first L1 hit, so that a `Cache` that never hits L1 registers nothing.
   */
  #l1Hits: HitCounter | undefined;
  /** @internal The store side of this namespace. */
  readonly io: EntryIo;

  /** @internal use {@link createCache} */
  constructor(ctx: CacheContext, keys: KeySpace) {
    this.#ctx = ctx;
    this.#keys = keys;
    this.io = new EntryIo(ctx, keys);
    this.#defaultPlan = resolvePlan(this.#ctx, this.#keys, undefined, true);
  }

  /** Looks up the L1 hit counter of this namespace path, on this `Cache`'s first L1 hit. */
  #firstL1Hit(): HitCounter {
    this.#l1Hits = this.#ctx.l1HitCounter(this.#keys.namespace);
    return this.#l1Hits;
  }

  /** Namespace path of this cache (`root:child`). */
  get namespaceName(): string {
    return this.#keys.namespace;
  }

  /** The key builder of this namespace. */
  get keys(): KeySpace {
    return this.#keys;
  }

  /** A cache for a child namespace: same store, events and settings; keys `<...>:<name>:<parts>`. */
  namespace(name: string): Cache {
    return new Cache(this.#ctx, this.#keys.child(name));
  }

  /**
   * Subscribes to cache events (`'*'` for all). Returns the function that unsubscribes. With
   * `{ l1Hits: false }` the listener gets no `hit` events of tier `'l1'` (count those with
   * {@link Cache.l1HitCounts}): when no listener wants them, an L1 hit builds no event.
   */
  on<T extends CacheEventType>(
    type: T | '*',
    listener: CacheEventListener<T>,
    options?: CacheListenOptions,
  ): () => void {
    return this.#ctx.events.on(type, listener, options);
  }

  /**
   * L1 hits since the cache was created, by namespace path, for the root cache and every namespace
   * of it (counted whether or not anyone listens). A namespace appears with its first L1 hit.
   * Empty without `l1`.
   */
  l1HitCounts(): ReadonlyMap<string, number> {
    return this.#ctx.l1HitCounts();
  }

  /**
   * The state of the store's circuit breaker, shared by every namespace: `'open'` while store calls
   * are refused (they go to the source), `'half-open'` while a probe may pass, else `'closed'`; an
   * open circuit whose `openFor` has passed reports (and becomes) half-open. `undefined` when the
   * store has no breaker (an in-process store, or `circuitBreaker: false`).
   */
  circuitState(): CircuitState | undefined {
    return this.#ctx.runner.breaker?.state;
  }

  /**
   * Resolves per-call options into a write plan, validating policy, TTL and tags.
   * @param eventTags tag entries with their EVENT_DRIVEN policy's events (default true).
   */
  plan(options?: EntryOptions, eventTags = true): EntryPlan {
    if (options === undefined && eventTags) return this.#defaultPlan;
    if (!eventTags) return resolvePlan(this.#ctx, this.#keys, options, eventTags);
    // Options objects reused across calls (a constant per kind of data) are resolved once.
    let plan = this.#plans.get(options as EntryOptions);
    if (plan === undefined) {
      plan = resolvePlan(this.#ctx, this.#keys, options, eventTags);
      this.#plans.set(options as EntryOptions, plan);
    }
    return plan;
  }

  /** The cached value, or `undefined` on a miss. Store failures count as misses (fail-open). */
  async get<T = unknown>(key: KeyInput): Promise<T | undefined> {
    this.#ctx.assertOpen('get');
    const fullKey = this.#keys.entry(key);
    const events = this.#ctx.events;
    const local = this.#ctx.l1?.get(fullKey) ?? L1_MISS;
    if (local !== L1_MISS) {
      (this.#l1Hits ?? this.#firstL1Hit()).count++;
      if (events.l1Hits) this.io.emitRead('hit', fullKey, performance.now(), 'l1');
      return local as T;
    }
    const started = performance.now();
    const value = await this.io.read(fullKey, 'get');
    const missed = value === MISS || value === UNAVAILABLE || value instanceof Stale;
    this.io.emitRead(missed ? 'miss' : 'hit', fullKey, started);
    return missed ? undefined : (value as T);
  }

  /**
   * Cache-aside: the cached value, or the loader's, stored with the policy's TTL and tags.
   * Concurrent calls for one key in this process share one read and one load. A store failure
   * falls back to the loader; a loader error reaches every waiter and is not cached. A loader
   * result of `undefined` is returned but never cached.
   */
  getOrSet<T>(key: KeyInput, loader: Loader<T>, options?: EntryOptions): Promise<T> {
    let fullKey: string;
    let plan: EntryPlan;
    try {
      fullKey = this.#keys.entry(key);
      plan = this.plan(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.getOrSetWith(fullKey, loader, plan);
  }

  /** @internal `getOrSet` with a precomputed key and plan (used by definitions). */
  getOrSetWith<T>(fullKey: string, loader: Loader<T>, plan: EntryPlan): Promise<T> {
    const ctx = this.#ctx;
    if (ctx.closed)
      return Promise.reject(new ClosedError('cache.getOrSet() was called after cache.close().'));
    if (!plan.cache) return runLoader(loader, fullKey, plan.resilience.hardTimeout);
    const l1 = ctx.l1;
    if (l1 !== undefined) {
      const local = l1.get(fullKey);
      if (local !== L1_MISS) {
        (this.#l1Hits ?? this.#firstL1Hit()).count++;
        if (ctx.events.l1Hits) this.io.emitRead('hit', fullKey, performance.now(), 'l1');
        return Promise.resolve(local as T);
      }
    }
    const io = this.io;
    return ctx.flights.run(
      fullKey,
      plan.tagKeys,
      (flight) => readThrough(ctx, io, fullKey, loader, plan, flight),
      io.joined,
    );
  }

  /**
   * @internal Loads and stores a fresh value whatever is cached (warming, refresh), or joins a
   * load or read already running for the key in this process.
   */
  async refreshWith<T>(fullKey: string, loader: Loader<T>, plan: EntryPlan): Promise<T> {
    this.#ctx.assertOpen('refresh');
    if (!plan.cache) return runLoader(loader, fullKey, plan.resilience.hardTimeout);
    // A flight, so that invalidations reach it and a concurrent read joins it (a miss for that
    // read: it waits for a load). A refresh that joins a flight is no read: it is not reported.
    return this.#ctx.flights.run(fullKey, plan.tagKeys, (flight) => {
      flight.served = 'miss';
      return this.io.load(fullKey, loader, plan, flight);
    });
  }

  /**
   * Stores a value. Loads of this key already running (in any process) will not overwrite it.
   * An unserializable value throws `SerializationError` and nothing is written.
   */
  async set<T>(key: KeyInput, value: T, options?: EntryOptions): Promise<void> {
    this.#ctx.assertOpen('set');
    await this.io.write(this.#keys.entry(key), value, this.plan(options));
  }

  /** Deletes one entry. Loads of it already running (in any process) will not store their results. */
  async delete(key: KeyInput): Promise<void> {
    this.#ctx.assertOpen('delete');
    await this.io.remove([this.#keys.entry(key)]);
  }

  /** Deletes several entries, like {@link Cache.delete}. */
  async deleteMany(keys: readonly KeyInput[]): Promise<void> {
    this.#ctx.assertOpen('deleteMany');
    await this.io.remove(keys.map((key) => this.#keys.entry(key)));
  }

  /**
   * Deletes every entry of this namespace matching `pattern`, where `*` and `?` are wildcards and
   * `:` separates key parts (`'miner:*:status'`): SCAN on every master, never KEYS. Resolves to the
   * number deleted. Loads running in this process for matching keys will not store; for
   * invalidations that must also stop other processes' loads, use tags.
   */
  async deleteMatching(pattern: string): Promise<number> {
    const ctx = this.#ctx;
    ctx.assertOpen('deleteMatching');
    if (!ctx.store.capabilities.patternDelete) {
      throw new UnsupportedError(
        `Store "${ctx.store.name}" does not support deleteMatching; use tags instead.`,
      );
    }
    const storePattern = this.#keys.pattern(pattern);
    const started = performance.now();
    const change = { patterns: [storePattern] };
    ctx.invalidateLocally(change);
    let count = 0;
    let failure: unknown;
    try {
      count = await ctx.runner.run('deleteMatching', (store) => store.deleteMatching(storePattern));
    } catch (error) {
      failure = error;
    } finally {
      ctx.invalidateLocally(change);
    }
    await ctx.broadcast(change, this.#keys.namespace);
    if (failure !== undefined) {
      ctx.report('deleteMatching', failure as CacheError, this.#keys.namespace);
      throw failure;
    }
    if (ctx.events.has('delete')) {
      ctx.events.emit({
        type: 'delete',
        keys: [],
        pattern: storePattern,
        namespace: this.#keys.namespace,
        duration: performance.now() - started,
      });
    }
    return count;
  }

  /**
   * Invalidates every entry carrying any of `tags`, in every namespace of this cache, in O(1):
   * one generation bump per tag however many entries carry it. Loads that began before do not store.
   */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    this.#ctx.assertOpen('invalidateTags');
    await this.io.invalidateTags(tags);
  }

  /**
   * Applies a named event (`'miner.config.updated'`): entries cached under an EVENT_DRIVEN policy
   * listing it are invalidated (all of them, or the ids a definition's `eventIds` picks from
   * `payload`). With a `sync`, the bus delivers published events to every process, which applies
   * them itself: pass `broadcast: false` there (the default, true, also tells other processes'
   * L1 to drop what this invalidates).
   */
  async handleEvent(event: string, payload?: unknown, broadcast = true): Promise<void> {
    this.#ctx.assertOpen('handleEvent');
    const invalidators = [...(this.#ctx.eventInvalidators.get(event) ?? [])];
    await Promise.all([
      this.io.invalidateTags([eventTag(event)], event, broadcast),
      ...invalidators.map((invalidate) => invalidate(event, payload, broadcast)),
    ]);
  }

  /** Defines a typed read-through entry: key builder, loader, policy, tags, write-through, warming. */
  define<Id, T>(options: DefinitionOptions<Id, T>): CacheDefinition<Id, T> {
    return defineEntry(this, this.#ctx, options);
  }

  /** Resolves once the bus subscriptions of `sync` are established (at once without `sync`). */
  async ready(): Promise<void> {
    await this.#ctx.link?.ready();
  }

  /**
   * Stops listening to the bus and closes the store if the cache created it; a store or bus you
   * passed stays open. Idempotent.
   */
  async close(): Promise<void> {
    if (this.#ctx.closed) return;
    this.#ctx.closed = true;
    await this.#ctx.link?.stop();
    if (this.#ctx.ownsStore) await this.#ctx.store.close();
  }
}

/**
 * Creates a cache. With no store it runs on a private `memoryStore()`.
 *
 * ```ts
 * const cache = createCache({ store: ioredisStore({ client }), namespace: 'fleet' });
 * const status = await cache.getOrSet(['miner', id, 'status'], () => source.status(id), { policy: EPHEMERAL });
 * ```
 */
export function createCache(options: CacheOptions = {}): Cache {
  const resolved = resolveOptions(options);
  const store = options.store ?? memoryStore();
  const ctx = new CacheContext(store, resolved, options.store === undefined);
  const cache = new Cache(
    ctx,
    new KeySpace(resolved.version, [resolved.namespace], resolved.unsafeIds),
  );
  if (resolved.sync !== undefined) {
    ctx.link = new SyncLink(
      ctx,
      resolved.sync,
      (name, payload) => cache.handleEvent(name, payload, false),
      (name) => cache.keys.tag(eventTag(name)),
    );
    ctx.link.watch(resolved.policy.invalidateOn);
  }
  return cache;
}

import type { CacheContext } from './context.js';
import { decodeEntry, frameEntry, serializeValue } from './entry.js';
import { EntryLoader } from './entry-load.js';
import type { CacheError } from './errors.js';
import type { Flight, JoinListener } from './flights.js';
import type { KeySpace } from './keys.js';
import type { Loader } from './loader-run.js';
import type { ResolvedResilience } from './resilience-options.js';
import { ABSENT_GENERATION } from './store.js';
import type { InvalidationMessage } from './sync.js';

/** How an entry is written, resolved from the policy, the TTL and the tags. */
export interface EntryPlan {
  readonly cache: boolean;
  /** Logical TTL: past it a value is stale. It is kept `resilience.grace` longer. */
  readonly ttl: number;
  readonly tagKeys: readonly string[];
  readonly resilience: ResolvedResilience;
}

/** An expired value still within its grace period, as {@link EntryIo.read} returns it. */
export class Stale {
  constructor(readonly value: unknown) {}
}

/** Returned by {@link EntryIo.read} when there is nothing fresh to serve. */
export const MISS: unique symbol = Symbol('cachekit.miss');
/** Returned by {@link EntryIo.read} when the store failed: a miss after which the store is not asked again. */
export const UNAVAILABLE: unique symbol = Symbol('cachekit.unavailable');

/**
 * The store side of one namespace: reads that validate tags and heal corrupt entries, guarded
 * loads, writes and invalidations, each failing open through `ctx.fail` and emitting its event.
 */
export class EntryIo {
  readonly #ctx: CacheContext;
  readonly #keys: KeySpace;

  readonly #loader: EntryLoader;

  constructor(ctx: CacheContext, keys: KeySpace) {
    this.#ctx = ctx;
    this.#keys = keys;
    this.#loader = new EntryLoader(ctx, keys, this);
  }

  /** Namespace path, as reported in events. */
  get namespace(): string {
    return this.#keys.namespace;
  }

  /**
   * The fresh cached value, {@link MISS} (missing, corrupt, or a stale tag), or {@link UNAVAILABLE}
   * when the store failed or timed out (reported through `ctx.fail`).
   */
  async read(fullKey: string, operation: string): Promise<unknown> {
    const ctx = this.#ctx;
    const stamp = ctx.l1?.stamp ?? 0;
    let raw: string | undefined;
    try {
      raw = await ctx.runner.run(operation, (store) => store.get(fullKey));
    } catch (error) {
      this.fail(operation, error, fullKey);
      return UNAVAILABLE;
    }
    if (raw === undefined) return MISS;
    let entry: ReturnType<typeof decodeEntry>;
    try {
      entry = decodeEntry(ctx.options.serializer, raw);
    } catch (error) {
      this.fail(operation, error, fullKey);
      ctx.runner
        .run('delete', (store) => store.delete([fullKey]))
        .catch((deleteError: unknown) => {
          this.report('delete', deleteError, fullKey);
        });
      return MISS;
    }
    const tagKeys: string[] = [];
    if (entry.tags.length > 0) {
      for (let i = 0; i < entry.tags.length; i += 2) tagKeys.push(entry.tags[i] as string);
      let current: string[];
      try {
        current = await this.generations(tagKeys, operation);
      } catch (error) {
        this.fail(operation, error, fullKey);
        return UNAVAILABLE;
      }
      for (let i = 0; i < current.length; i++) {
        if (current[i] !== entry.tags[2 * i + 1]) return MISS;
      }
    }
    if (Date.now() >= entry.expiresAt) return new Stale(entry.value);
    const grace = entry.staleUntil - entry.expiresAt;
    ctx.l1?.set(fullKey, entry.value, entry.expiresAt, grace, tagKeys, raw.length, stamp);
    return entry.value;
  }

  /** See {@link EntryLoader.load}. */
  load<T>(
    fullKey: string,
    loader: Loader<T>,
    plan: EntryPlan,
    flight: Flight,
    storeDown = false,
  ): Promise<T> {
    return this.#loader.load(fullKey, loader, plan, flight, storeDown);
  }

  /**
   * Writes a value, first moving the key's generation so that loads already running anywhere do
   * not overwrite it, then tells other processes. The value is validated before anything is
   * written. A store failure is reported and thrown (other processes still drop their copies).
   */
  async write(fullKey: string, value: unknown, plan: EntryPlan): Promise<boolean> {
    if (!plan.cache || value === undefined) return false;
    const ctx = this.#ctx;
    const started = performance.now();
    const serialized = serializeValue(ctx.options.serializer, value);
    const l1 = ctx.l1;
    const stamp = l1?.stamp ?? 0;
    await this.#mutate('set', { keys: [fullKey] }, fullKey, async () => {
      const tagGenerations =
        plan.tagKeys.length === 0 ? [] : await this.generations(plan.tagKeys, 'set');
      const grace = plan.resilience.grace;
      const tagPairs = pairs(plan.tagKeys, tagGenerations);
      const payload = frameEntry(serialized, Date.now(), plan.ttl, tagPairs, grace);
      const generationKey = this.#keys.generationOf(fullKey);
      // One atomic step: bump, then write. (Sent as two commands, a client may reorder them --
      // ioredis resends a script after NOSCRIPT, a cluster redirects -- letting a stale load in.)
      const generationTtl = this.#keyGenerationTtl();
      await ctx.runner.run('set', (store) =>
        store.replace(fullKey, payload, plan.ttl + grace, generationKey, generationTtl),
      );
    });
    // Kept in L1 only if nothing but this write's own two local invalidations happened meanwhile.
    const expiresAt = Date.now() + plan.ttl;
    const size = serialized.length;
    l1?.set(fullKey, value, expiresAt, plan.resilience.grace, plan.tagKeys, size, stamp + 2);
    this.emitSet(fullKey, true, started);
    return true;
  }

  /** Deletes entries and moves their generations, so loads already running do not store. */
  async remove(fullKeys: readonly string[], broadcast = true): Promise<void> {
    if (fullKeys.length === 0) return;
    const ctx = this.#ctx;
    const started = performance.now();
    const entries = fullKeys.map((key) => ({ key, generationKey: this.#keys.generationOf(key) }));
    const generationTtl = this.#keyGenerationTtl();
    await this.#mutate(
      'delete',
      { keys: fullKeys },
      fullKeys[0],
      async () => {
        // Bump and delete in one atomic step per slot: the bump is what stops loads already running.
        await ctx.runner.run('delete', (store) => store.invalidate(entries, generationTtl));
      },
      broadcast,
    );
    if (ctx.events.has('delete')) {
      ctx.events.emit({
        type: 'delete',
        keys: fullKeys,
        namespace: this.#keys.namespace,
        duration: performance.now() - started,
      });
    }
  }

  /**
   * Moves the generation of each tag: O(1) per tag, whatever the number of entries carrying it.
   * `broadcast: false` when every process applies the same invalidation itself (a domain event).
   */
  async invalidateTags(tags: readonly string[], event?: string, broadcast = true): Promise<void> {
    if (tags.length === 0) return;
    const ctx = this.#ctx;
    const tagKeys = tags.map((tag) => this.#keys.tag(tag));
    const started = performance.now();
    await this.#mutate(
      'invalidateTags',
      { tags: tagKeys },
      undefined,
      async () => {
        await ctx.runner.run('invalidateTags', (store) =>
          store.bumpGenerations(tagKeys, ctx.options.maxTtl),
        );
      },
      broadcast,
    );
    if (ctx.events.has('invalidate')) {
      ctx.events.emit({
        type: 'invalidate',
        tags,
        namespace: this.#keys.namespace,
        duration: performance.now() - started,
        ...(event === undefined ? {} : { event }),
      });
    }
  }

  /**
   * Runs a change of the store between two local invalidations (a read racing the change may have
   * put the old value in L1 in between), then tells other processes — even when the store failed,
   * so that their copies go. A store failure is reported and thrown: the caller must know that
   * its invalidation or write did not happen.
   */
  async #mutate(
    operation: string,
    change: InvalidationMessage,
    key: string | undefined,
    work: () => Promise<void>,
    broadcast = true,
  ): Promise<void> {
    const ctx = this.#ctx;
    ctx.invalidateLocally(change);
    let failure: unknown;
    // The store command is sent first; the announcement goes right behind it on the wire, so that
    // other processes usually hear of the change as soon as it lands. It may overtake the change
    // (a NOSCRIPT resend, a cluster redirect), so the change is announced again once confirmed.
    const pending = work();
    const early =
      broadcast && ctx.sync !== undefined ? ctx.broadcast(change, this.#keys.namespace) : undefined;
    try {
      await pending;
    } catch (error) {
      failure = error;
    } finally {
      ctx.invalidateLocally(change);
    }
    if (broadcast) await ctx.broadcast(change, this.#keys.namespace);
    await early;
    if (failure !== undefined) {
      this.report(operation, failure, key);
      throw failure;
    }
  }

  /** Current generations of `keys` (`'0'` where absent). Throws typed store errors. */
  async generations(keys: readonly string[], operation: string): Promise<string[]> {
    const values = await this.#ctx.runner.run(operation, (store) => store.getMany(keys));
    return values.map((value) => value ?? ABSENT_GENERATION);
  }

  /**
   * Reports a caller that joined a read in flight (given to `flights.run`): once the flight
   * settles, the same events as its first caller got, marked `coalesced`. Does nothing, not even
   * read the clock, while nobody listens to reads.
   */
  readonly joined: JoinListener = (key, flight, promise) => {
    if (!this.#ctx.events.reads) return;
    const started = performance.now();
    const report = (): void => {
      const served = flight.served;
      if (served === undefined) return;
      const events = this.#ctx.events;
      const namespace = this.#keys.namespace;
      const duration = performance.now() - started;
      if (served === 'hit') {
        events.emit({ type: 'hit', key, namespace, duration, tier: 'l2', coalesced: true });
        return;
      }
      events.emit({ type: 'miss', key, namespace, duration, coalesced: true });
      if (served === 'stale')
        events.emit({ type: 'stale', key, namespace, duration, coalesced: true });
    };
    promise.then(report, report);
  };

  emitRead(type: 'hit' | 'miss', key: string, started: number, tier: 'l1' | 'l2' = 'l2'): void {
    const events = this.#ctx.events;
    if (!events.has(type)) return;
    const duration = performance.now() - started;
    const namespace = this.#keys.namespace;
    if (type === 'hit') events.emit({ type, key, namespace, duration, tier });
    else events.emit({ type, key, namespace, duration });
  }

  /**
   * Emits a `load` event for a loader that settled, if anyone listens. Returns the time it ended
   * (`performance.now()`), from which the write that follows is timed.
   */
  emitLoad(key: string, outcome: 'ok' | 'error' | 'timeout', started: number): number {
    const now = performance.now();
    const events = this.#ctx.events;
    if (events.has('load')) {
      events.emit({
        type: 'load',
        key,
        outcome,
        namespace: this.#keys.namespace,
        duration: now - started,
      });
    }
    return now;
  }

  emitSet(key: string, stored: boolean, started: number): void {
    const events = this.#ctx.events;
    if (events.has('set')) {
      events.emit({
        type: 'set',
        key,
        stored,
        namespace: this.#keys.namespace,
        duration: performance.now() - started,
      });
    }
  }

  /** Reports a read-path failure (thrown only with `throwOnStoreError`). */
  fail(operation: string, error: unknown, key?: string): void {
    this.#ctx.fail(operation, error as CacheError, this.#keys.namespace, key);
  }

  /** Reports a background failure (never thrown). */
  report(operation: string, error: unknown, key?: string): void {
    this.#ctx.report(operation, error as CacheError, this.#keys.namespace, key);
  }

  #keyGenerationTtl(): number {
    // Outlives every load that may still store: loads longer than the window never store, and a
    // guarded write that left in time reaches the store within its own timeout.
    const { loadGuardWindow, timeout } = this.#ctx.options;
    return loadGuardWindow * 2 + timeout * 2;
  }
}

export function pairs(keys: readonly string[], generations: readonly string[]): string[] {
  if (generations.length === 0) return [];
  const out: string[] = [];
  for (let i = 0; i < keys.length; i++)
    out.push(keys[i] as string, generations[i] ?? ABSENT_GENERATION);
  return out;
}

export type { Loader, LoaderContext } from './loader-run.js';

import type { Cache } from './cache.js';
import type { CacheContext, EventInvalidator } from './context.js';
import type { Duration } from './duration.js';
import { serializeValue } from './entry.js';
import type { EntryPlan, LoaderContext } from './entry-io.js';
import { InvalidOptionError } from './errors.js';
import type { KeyInput } from './keys.js';
import { assertPolicy, type Policy } from './policies.js';
import { runBounded, type WarmOptions, type WarmReport } from './warm.js';
import { startWarming, type Warming, type WarmingOptions } from './warming.js';

/** Options of `cache.define()`: everything needed to read through, write through and warm one kind of entry. */
export interface DefinitionOptions<Id, T> {
  /** Child namespace holding these entries (`'miner'`). Default: the cache's own namespace. */
  namespace?: string;
  /** Key parts of an id's entry. Default: the id itself (which must then be a string or number). */
  key?: (id: Id) => KeyInput;
  /** Loads an id's value from the source on a miss. */
  load: (id: Id, context: LoaderContext) => T | Promise<T>;
  /**
   * Writes a value to the source, for `update()` (write-through). It may resolve to the value the
   * source stored, which is then cached instead. Default: none (`update()` is refused).
   */
  write?: (id: Id, value: T) => T | undefined | Promise<T | undefined> | Promise<void> | void;
  /** Policy of these entries. Default: the cache's `policy`. */
  policy?: Policy;
  /** TTL overriding the policy's. */
  ttl?: Duration;
  /** Tags of an id's entry, e.g. `(id) => ['fleet', \`miner:${id}\`]`. Default: none. */
  tags?: (id: Id) => readonly string[];
  /**
   * For EVENT_DRIVEN policies: the ids an event invalidates, read from its payload. Default: every
   * entry of this definition is invalidated by each of the policy's events.
   */
  eventIds?: (event: string, payload: unknown) => Id | readonly Id[] | undefined;
}

/** A typed read-through entry made by `cache.define()`. */
export interface CacheDefinition<Id, T> {
  /** Namespace path of these entries. */
  readonly namespace: string;
  readonly policy: Policy;
  /** The store key of an id's entry. */
  key(id: Id): string;
  /** Read-through: the cached value or the loaded one (single-flight, fail-open). */
  get(id: Id): Promise<T>;
  /** The cached value only, or `undefined`; never loads. */
  peek(id: Id): Promise<T | undefined>;
  /** Caches a value without touching the source. */
  set(id: Id, value: T): Promise<void>;
  /**
   * Write-through: writes the source first, then the cache. If the source write fails, the cache
   * is untouched and the error surfaces. Resolves to the value cached.
   */
  update(id: Id, value: T): Promise<T>;
  /** Deletes one id's entry (loads of it already running will not store). */
  invalidate(id: Id): Promise<void>;
  /** Deletes several ids' entries. */
  invalidateMany(ids: readonly Id[]): Promise<void>;
  /** Loads and stores a fresh value, whatever is cached (joining a load already running here). */
  refresh(id: Id): Promise<T>;
  /** Refreshes many ids with bounded concurrency; failures are collected, not thrown. */
  warm(ids: readonly Id[], options?: WarmOptions<Id>): Promise<WarmReport<Id>>;
  /** Warms `options.ids()` every `options.every` until `stop()` (cycles never overlap). */
  startWarming(options: WarmingOptions<Id>): Warming;
  /** Stops listening to the policy's events (only needed for definitions with `eventIds`). */
  dispose(): void;
}

function defaultKey(id: unknown): KeyInput {
  if (typeof id === 'string' || typeof id === 'number') return id;
  throw new InvalidOptionError(
    'define(): ids are not strings or numbers, so give a key(id) function.',
  );
}

/** @internal Implementation of `cache.define()`. */
export function defineEntry<Id, T>(
  root: Cache,
  ctx: CacheContext,
  options: DefinitionOptions<Id, T>,
): CacheDefinition<Id, T> {
  if (typeof options?.load !== 'function') {
    throw new InvalidOptionError('define() needs a load(id) function.');
  }
  for (const name of ['key', 'write', 'tags', 'eventIds'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'function') {
      throw new InvalidOptionError(`define(): ${name} must be a function.`);
    }
  }
  const cache = options.namespace === undefined ? root : root.namespace(options.namespace);
  const policy = options.policy ?? ctx.options.policy;
  assertPolicy(policy);
  const eventTags = options.eventIds === undefined;
  const base = { policy, ...(options.ttl === undefined ? {} : { ttl: options.ttl }) };
  const staticPlan = options.tags === undefined ? cache.plan(base, eventTags) : undefined;
  const keyOf = options.key ?? defaultKey;
  const key = (id: Id): string => cache.keys.entry(keyOf(id));
  const planOf = (id: Id): EntryPlan =>
    staticPlan ?? cache.plan({ ...base, tags: options.tags?.(id) ?? [] }, eventTags);
  const loaderOf = (id: Id) => (context: LoaderContext) => options.load(id, context);

  const invalidateMany = (ids: readonly Id[], broadcast = true): Promise<void> =>
    cache.io.remove(ids.map(key), broadcast);
  const invalidator: EventInvalidator | undefined =
    options.eventIds === undefined
      ? undefined
      : async (event, payload, broadcast) => {
          const picked = options.eventIds?.(event, payload);
          if (picked === undefined) return;
          const ids = Array.isArray(picked) ? (picked as readonly Id[]) : [picked as Id];
          await invalidateMany(ids, broadcast);
        };
  ctx.link?.watch(policy.invalidateOn);
  if (invalidator !== undefined) {
    for (const event of policy.invalidateOn) {
      const set = ctx.eventInvalidators.get(event) ?? new Set<EventInvalidator>();
      set.add(invalidator);
      ctx.eventInvalidators.set(event, set);
    }
  }

  const warm = (ids: readonly Id[], warmOptions?: WarmOptions<Id>): Promise<WarmReport<Id>> =>
    runBounded(ids, (id) => cache.refreshWith(key(id), loaderOf(id), planOf(id)), warmOptions);

  return {
    namespace: cache.namespaceName,
    policy,
    key,
    get: (id) => cache.getOrSetWith(key(id), loaderOf(id), planOf(id)),
    peek: (id) => cache.get<T>(keyOf(id)),
    async set(id, value) {
      ctx.assertOpen('set');
      await cache.io.write(key(id), value, planOf(id));
    },
    async update(id, value) {
      ctx.assertOpen('update');
      if (options.write === undefined) {
        throw new InvalidOptionError(
          'update() needs a write(id, value) function in define(); use set() to cache only.',
        );
      }
      const fullKey = key(id);
      const plan = planOf(id);
      // Refuse an unstorable value before the source is written.
      serializeValue(ctx.options.serializer, value);
      const written = await options.write(id, value);
      const stored = (written === undefined ? value : written) as T;
      try {
        await cache.io.write(fullKey, stored, plan);
      } catch {
        // The source holds the new value: the update succeeded. The cache write failure was
        // reported as an `error` event and other processes were told to drop their copies.
      }
      return stored;
    },
    invalidate: (id) => invalidateMany([id]),
    invalidateMany: (ids) => invalidateMany(ids),
    refresh: (id) => cache.refreshWith(key(id), loaderOf(id), planOf(id)),
    startWarming(warmingOptions) {
      ctx.assertOpen('startWarming');
      return startWarming(warm, warmingOptions);
    },
    warm,
    dispose() {
      if (invalidator === undefined) return;
      for (const event of policy.invalidateOn)
        ctx.eventInvalidators.get(event)?.delete(invalidator);
    },
  };
}

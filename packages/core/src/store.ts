/**
 * The store seam: strings in, strings out, TTLs in milliseconds. Serialization, key building,
 * tags and single-flight all live above it, so a driver only speaks its client's commands.
 *
 * Every store passes `@cachekit/core/testing`'s conformance suite.
 */

/** What a store can do. The conformance suite skips what a store declares it lacks. */
export interface StoreCapabilities {
  /** `deleteMatching` is implemented (SCAN on every master for Redis). */
  readonly patternDelete: boolean;
  /**
   * `setIfGenerations` checks every guard in the same hash slot as the key atomically with the
   * write (true for the memory store and Redis scripts). Guards in other slots are checked
   * immediately before the write.
   */
  readonly atomicGuards: boolean;
  /** The store lives in this process: calls cannot hang, so the cache does not time them out. */
  readonly local: boolean;
  /** Keys are spread over hash slots (Redis Cluster). */
  readonly cluster: boolean;
}

/** One entry for {@link Store.setMany}. */
export interface StoreEntry {
  readonly key: string;
  readonly value: string;
  /** Time to live in milliseconds; always a finite integer > 0. */
  readonly ttl: number;
}

/**
 * A generation a write depends on: the write happens only if the generation key still holds
 * `generation`. The generation of a missing key is `'0'`.
 */
export interface GenerationGuard {
  readonly key: string;
  readonly generation: string;
}

/**
 * Generation keys are only ever touched through `bumpGenerations`, `setIfGenerations` guards and
 * `getMany`/`get` reads: the cache never `set`s, `delete`s or pattern-deletes them (its patterns and
 * generation keys cannot overlap), so a store may keep them apart from entries, as the memory store
 * does. Generations are decimal integer strings; `'0'` means the key does not exist.
 */

/** An entry key and the generation key that guards it (same hash slot). */
export interface EntryGeneration {
  readonly key: string;
  readonly generationKey: string;
}

/** The generation of a key that does not exist. */
export const ABSENT_GENERATION = '0';

export interface Store {
  /** Short name for events and errors, e.g. `'memory'`, `'ioredis'`. */
  readonly name: string;
  readonly capabilities: StoreCapabilities;

  /** The value at `key`, or `undefined` if it is missing or expired. */
  get(key: string): Promise<string | undefined>;
  /** Values for `keys`, in order (`undefined` where missing). Keys may span cluster slots. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Stores `value` at `key` for `ttl` ms (a finite integer > 0), replacing any value. */
  set(key: string, value: string, ttl: number): Promise<void>;
  /** Stores several entries; keys may span cluster slots. */
  setMany(entries: readonly StoreEntry[]): Promise<void>;
  /** Deletes `keys` (any slots); resolves to how many existed. */
  delete(keys: readonly string[]): Promise<number>;
  /**
   * Deletes every key matching a Redis glob `pattern` (`*`, `?`, `[...]`, `\` escapes), on every
   * master, in batches (SCAN + UNLINK for Redis; never KEYS or FLUSH*). Resolves to the count.
   */
  deleteMatching(pattern: string): Promise<number>;
  /**
   * Moves each generation key to a new value that it never held before (for Redis:
   * `max(server time in µs, current + 1)`), and sets its TTL to `ttl` ms. Resolves to the new
   * generations, in order.
   */
  bumpGenerations(keys: readonly string[], ttl: number): Promise<string[]>;
  /**
   * Stores `value` at `key` for `ttl` ms only if every guard's key still holds its generation
   * (`'0'` = missing). Resolves to whether it wrote. See {@link StoreCapabilities.atomicGuards}.
   */
  setIfGenerations(
    key: string,
    value: string,
    ttl: number,
    guards: readonly GenerationGuard[],
  ): Promise<boolean>;
  /**
   * Invalidates entries in one step per hash slot: for each pair, moves `generationKey` exactly as
   * {@link Store.bumpGenerations} does (TTL `generationTtl`), then deletes `key`. Atomic per pair
   * (a pair's two keys share a slot). Resolves to how many entries existed.
   */
  invalidate(entries: readonly EntryGeneration[], generationTtl: number): Promise<number>;
  /**
   * Writes an entry in one step: moves `generationKey` as {@link Store.bumpGenerations} does (TTL
   * `generationTtl`), then stores `value` at `key` for `ttl` ms. Atomic (the keys share a slot).
   */
  replace(
    key: string,
    value: string,
    ttl: number,
    generationKey: string,
    generationTtl: number,
  ): Promise<void>;
  /**
   * Sets `key` to `token` for `ttl` ms only if `key` does not exist (Redis `SET NX PX`): a lease
   * lock for distributed single-flight. Resolves to whether this call acquired it. Lock keys are
   * never entry or generation keys (the cache uses `{<entry key>}:lock`): a store may keep them apart.
   */
  acquireLock(key: string, token: string, ttl: number): Promise<boolean>;
  /** Deletes `key` only if it still holds `token` (compare-and-delete). Resolves to whether it did. */
  releaseLock(key: string, token: string): Promise<boolean>;
  /** Releases what the store created (clients it opened, timers). Clients passed in stay open. */
  close(): Promise<void>;
}

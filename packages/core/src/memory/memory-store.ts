import { InvalidOptionError } from '../errors.js';
import type { GenerationGuard, Store, StoreCapabilities, StoreEntry } from '../store.js';
import { ABSENT_GENERATION } from '../store.js';
import { globToRegExp } from './glob.js';
import { LruMap } from './lru.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept (least recently used evicted first). Default: 10,000. */
  maxEntries?: number;
  /**
   * Most bytes kept, counting keys and values as UTF-16 (2 bytes a character) plus 64 bytes of
   * bookkeeping per entry. Default: 64 MiB.
   */
  maxBytes?: number;
}

const ENTRY_OVERHEAD = 64;
const CAPABILITIES: StoreCapabilities = Object.freeze({
  patternDelete: true,
  atomicGuards: true,
  local: true,
  cluster: false,
});

function assertBound(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidOptionError(
      `memoryStore: ${what} must be a positive integer, got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * An in-process store, bounded by entries and bytes with LRU eviction and exact TTLs (an entry is
 * gone at `ttl` ms, as measured by `Date.now`, so fake timers drive it). The embedded default.
 *
 * Generation keys (used for invalidation) are kept apart from entries so that eviction never
 * forgets an invalidation; they expire with their own TTL.
 */
export function memoryStore(options: MemoryStoreOptions = {}): Store {
  const maxEntries = assertBound(options.maxEntries ?? 10_000, 'maxEntries');
  const maxBytes = assertBound(options.maxBytes ?? 64 * 1024 * 1024, 'maxBytes');
  const entries = new LruMap<string>({
    maxEntries,
    maxSize: maxBytes,
    sizeOf: (key, value) => (key.length + value.length) * 2 + ENTRY_OVERHEAD,
  });
  const generations = new LruMap<string>();
  // Locks live apart too: eviction must never hand a held lock to a second caller.
  const locks = new LruMap<string>();
  let lastGeneration = 0;
  let bumpsSinceSweep = 0;

  function generationOf(key: string): string {
    return generations.get(key) ?? ABSENT_GENERATION;
  }

  function nextGeneration(current: string): string {
    lastGeneration = Math.max(Date.now() * 1000, Number(current) + 1, lastGeneration + 1);
    return String(lastGeneration);
  }

  function bump(key: string, ttl: number): string {
    const next = nextGeneration(generationOf(key));
    generations.set(key, next, ttl);
    return next;
  }

  return {
    name: 'memory',
    capabilities: CAPABILITIES,
    async get(key) {
      return entries.get(key) ?? generations.get(key) ?? locks.get(key);
    },
    async getMany(keys) {
      return keys.map((key) => entries.get(key) ?? generations.get(key));
    },
    async set(key, value, ttl) {
      entries.set(key, value, ttl);
    },
    async setMany(list: readonly StoreEntry[]) {
      for (const entry of list) entries.set(entry.key, entry.value, entry.ttl);
    },
    async delete(keys) {
      let count = 0;
      for (const key of keys) if (entries.delete(key) || locks.delete(key)) count++;
      return count;
    },
    async deleteMatching(pattern) {
      const regexp = globToRegExp(pattern);
      let count = 0;
      for (const key of [...entries.keys()]) {
        if (regexp.test(key) && entries.delete(key)) count++;
      }
      return count;
    },
    async bumpGenerations(keys, ttl) {
      if (++bumpsSinceSweep >= 1_000) {
        bumpsSinceSweep = 0;
        generations.sweep();
      }
      return keys.map((key) => bump(key, ttl));
    },
    async invalidate(list, generationTtl) {
      let count = 0;
      for (const { key, generationKey } of list) {
        bump(generationKey, generationTtl);
        if (entries.delete(key)) count++;
      }
      return count;
    },
    async replace(key, value, ttl, generationKey, generationTtl) {
      bump(generationKey, generationTtl);
      entries.set(key, value, ttl);
    },
    async setIfGenerations(key, value, ttl, guards: readonly GenerationGuard[]) {
      for (const guard of guards) {
        if (generationOf(guard.key) !== guard.generation) return false;
      }
      entries.set(key, value, ttl);
      return true;
    },
    async acquireLock(key, token, ttl) {
      if (locks.get(key) !== undefined || entries.get(key) !== undefined) return false;
      locks.set(key, token, ttl);
      return true;
    },
    async releaseLock(key, token) {
      if (locks.get(key) !== token) return false;
      locks.delete(key);
      return true;
    },
    async close() {
      entries.clear();
      generations.clear();
      locks.clear();
    },
  };
}

/** Options of {@link LruMap}. */
export interface LruOptions<V> {
  /** Most entries kept; the least recently used go first. Default: unbounded. */
  maxEntries?: number;
  /** Most total size (as measured by `sizeOf`) kept. Default: unbounded. */
  maxSize?: number;
  /** Size of one entry, for `maxSize`. Default: 1 per entry. */
  sizeOf?: (key: string, value: V) => number;
  /** Called for each entry evicted to respect the bounds (not for expiry or deletes). */
  onEvict?: (key: string, value: V) => void;
  /** Clock in ms; default `Date.now` (so fake timers drive expiry). */
  now?: () => number;
}

interface Slot<V> {
  value: V;
  expiresAt: number;
  size: number;
  /** Read since it was last passed over by eviction (second chance: reads never touch the Map). */
  used: boolean;
}

/**
 * A Map with least-recently-used eviction by entry count and/or size, and exact TTLs:
 * an entry is gone once `now() >= expiresAt`.
 */
export class LruMap<V> {
  readonly #slots = new Map<string, Slot<V>>();
  readonly #maxEntries: number;
  readonly #maxSize: number;
  readonly #sizeOf: ((key: string, value: V) => number) | undefined;
  readonly #onEvict: ((key: string, value: V) => void) | undefined;
  readonly #now: () => number;
  #size = 0;

  constructor(options: LruOptions<V> = {}) {
    this.#maxEntries = options.maxEntries ?? Number.POSITIVE_INFINITY;
    this.#maxSize = options.maxSize ?? Number.POSITIVE_INFINITY;
    this.#sizeOf = options.sizeOf;
    this.#onEvict = options.onEvict;
    this.#now = options.now ?? Date.now;
  }

  /** Live entries (expired ones not yet swept may be counted until touched). */
  get count(): number {
    return this.#slots.size;
  }

  /** Total size of the entries held. */
  get size(): number {
    return this.#size;
  }

  /** The value if present and not expired; marks it most recently used. */
  get(key: string, now: number = this.#now()): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    if (now >= slot.expiresAt) {
      this.#remove(key, slot);
      return undefined;
    }
    // Recency is a flag, not a re-insertion: eviction gives used entries a second chance.
    slot.used = true;
    return slot.value;
  }

  /** The value without touching recency. */
  peek(key: string): V | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined || this.#now() >= slot.expiresAt) return undefined;
    return slot.value;
  }

  /** Stores a value for `ttl` ms (Infinity: no expiry). Returns false if it alone exceeds `maxSize`. */
  set(key: string, value: V, ttl: number): boolean {
    const size = this.#sizeOf === undefined ? 1 : this.#sizeOf(key, value);
    const previous = this.#slots.get(key);
    if (previous !== undefined) this.#remove(key, previous);
    if (size > this.#maxSize) return false;
    this.#slots.set(key, { value, expiresAt: this.#now() + ttl, size, used: false });
    this.#size += size;
    this.#enforce();
    return true;
  }

  delete(key: string): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) return false;
    const live = this.#now() < slot.expiresAt;
    this.#remove(key, slot);
    return live;
  }

  /** Keys of live entries, least recently used first. */
  *keys(): IterableIterator<string> {
    const now = this.#now();
    for (const [key, slot] of this.#slots) if (now < slot.expiresAt) yield key;
  }

  /** Drops expired entries; returns how many. */
  sweep(): number {
    const now = this.#now();
    let removed = 0;
    for (const [key, slot] of this.#slots) {
      if (now >= slot.expiresAt) {
        this.#remove(key, slot);
        removed++;
      }
    }
    return removed;
  }

  clear(): void {
    this.#slots.clear();
    this.#size = 0;
  }

  #remove(key: string, slot: Slot<V>): void {
    this.#slots.delete(key);
    this.#size -= slot.size;
  }

  #enforce(): void {
    while (this.#slots.size > this.#maxEntries || this.#size > this.#maxSize) {
      const oldest = this.#slots.keys().next();
      if (oldest.done === true) return;
      const slot = this.#slots.get(oldest.value) as Slot<V>;
      if (slot.used && this.#now() < slot.expiresAt) {
        // Second chance: move it to the recent end, unmarked (at most once per entry per pass).
        slot.used = false;
        this.#slots.delete(oldest.value);
        this.#slots.set(oldest.value, slot);
        continue;
      }
      this.#remove(oldest.value, slot);
      if (this.#onEvict !== undefined && this.#now() < slot.expiresAt)
        this.#onEvict(oldest.value, slot.value);
    }
  }
}

import { type Duration, toMilliseconds } from './duration.js';
import { InvalidOptionError } from './errors.js';
import { LruMap } from './memory/lru.js';

/** Options of the in-process tier (L1) that holds parsed values in front of the store. */
export interface L1Options {
  /** Most entries held (least recently used evicted first). Default: 10,000. */
  maxEntries?: number;
  /** Most bytes held, estimated from each value's serialized size (2 bytes a character + 96). Default: 64 MiB. */
  maxBytes?: number;
  /**
   * Longest a value stays in L1, whatever its TTL: the bound on how long a copy can outlive an
   * invalidation message that was lost without a gap being detected. Default: `'10s'`.
   */
  ttl?: Duration;
}

interface Slot {
  readonly value: unknown;
  /** Logical expiry (ms since epoch): past it the value is only a stale fallback. */
  readonly expiresAt: number;
  /** Tag generation keys the value carries. */
  readonly tags: readonly string[];
  /** The local version of each tag when the value was stored. */
  readonly versions: readonly number[];
}

/** Returned by {@link LocalTier.get} when L1 has nothing fresh. */
export const L1_MISS: unique symbol = Symbol('cachekit.l1-miss');

const ENTRY_OVERHEAD = 96;
/** Distinct invalidated tags remembered before L1 is simply flushed (keeps memory bounded). */
const MAX_TAG_VERSIONS = 10_000;

/**
 * Parsed values kept in this process (L1). Entries are dropped by key, by local tag versions
 * (O(1) per invalidated tag), by pattern, or all at once on a gap. `stamp` counts every
 * invalidation so that a value read before one is never stored after it.
 */
export class LocalTier {
  readonly #entries: LruMap<Slot>;
  readonly #tagVersions = new Map<string, number>();
  readonly ttl: number;
  /** Increases on every invalidation that reaches L1 (local, remote or gap). */
  stamp = 0;
  /** While true (the bus subscription is not up yet), L1 neither serves nor keeps anything. */
  paused = false;

  constructor(options: L1Options) {
    const maxEntries = options.maxEntries ?? 10_000;
    const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
    for (const [name, value] of [
      ['l1.maxEntries', maxEntries],
      ['l1.maxBytes', maxBytes],
    ] as const) {
      if (!Number.isInteger(value) || value <= 0) {
        throw new InvalidOptionError(`${name} must be a positive integer, got ${String(value)}.`);
      }
    }
    this.ttl = toMilliseconds(options.ttl ?? '10s', 'l1.ttl');
    this.#entries = new LruMap<Slot>({ maxEntries, maxSize: maxBytes, sizeOf: slotSize });
  }

  /** Entries held (expired ones may count until touched). */
  get size(): number {
    return this.#entries.count;
  }

  /** The fresh value, or {@link L1_MISS}. */
  get(key: string): unknown {
    if (this.paused) return L1_MISS;
    const now = Date.now();
    const slot = this.#entries.get(key, now);
    if (slot === undefined || now >= slot.expiresAt) return L1_MISS;
    return this.#checked(key, slot);
  }

  /** The value even if past its TTL (within its grace and the L1 TTL), or {@link L1_MISS}: a fallback only. */
  stale(key: string): unknown {
    const slot = this.#entries.peek(key);
    return slot === undefined ? L1_MISS : this.#checked(key, slot);
  }

  #checked(key: string, slot: Slot): unknown {
    const tags = slot.tags;
    for (let i = 0; i < tags.length; i++) {
      if ((this.#tagVersions.get(tags[i] as string) ?? 0) !== slot.versions[i]) {
        this.#entries.delete(key);
        return L1_MISS;
      }
    }
    return slot.value;
  }

  /**
   * Stores a value, fresh until `expiresAt` and kept `grace` ms longer as a fallback (both capped
   * by the L1 TTL), unless an invalidation happened since `stamp` was read. `size` is the length
   * of its serialized form.
   */
  set(
    key: string,
    value: unknown,
    expiresAt: number,
    grace: number,
    tags: readonly string[],
    size: number,
    stamp: number,
  ): void {
    if (stamp !== this.stamp || this.paused) return;
    const ttl = Math.min(this.ttl, expiresAt + grace - Date.now());
    if (ttl <= 0) return;
    const versions = tags.map((tag) => this.#tagVersions.get(tag) ?? 0);
    this.#entries.set(key, { value, expiresAt, tags, versions, size } as Slot, ttl);
  }

  deleteKeys(keys: readonly string[]): void {
    this.stamp++;
    for (const key of keys) this.#entries.delete(key);
  }

  invalidateTags(tagKeys: readonly string[]): void {
    this.stamp++;
    if (this.#tagVersions.size + tagKeys.length > MAX_TAG_VERSIONS) {
      this.flush();
      return;
    }
    for (const tag of tagKeys) this.#tagVersions.set(tag, (this.#tagVersions.get(tag) ?? 0) + 1);
  }

  deleteMatching(test: (key: string) => boolean): void {
    this.stamp++;
    for (const key of [...this.#entries.keys()]) if (test(key)) this.#entries.delete(key);
  }

  /** Drops everything (a gap: some invalidation may have been missed). */
  flush(): void {
    this.stamp++;
    this.#entries.clear();
    this.#tagVersions.clear();
  }
}

function slotSize(key: string, slot: Slot): number {
  return (key.length + (slot as Slot & { size: number }).size) * 2 + ENTRY_OVERHEAD;
}

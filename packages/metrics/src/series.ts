import { BucketHistogram } from './bucket-histogram.js';
import { LOADER_BUCKETS, OPERATION_BUCKETS } from './buckets.js';
import { LogHistogram } from './log-histogram.js';

/** Outcome of a loader run, as in core's `load` event. */
export type LoadOutcome = 'ok' | 'error' | 'timeout';

export const LOAD_OUTCOMES: readonly LoadOutcome[] = ['ok', 'error', 'timeout'];

/** Store operations timed in the `operation_duration_seconds` histogram. */
export type OperationName = 'read' | 'set' | 'delete' | 'invalidate';

export const OPERATION_NAMES: readonly OperationName[] = ['read', 'set', 'delete', 'invalidate'];

/**
 * What an invalidation was: `tag` (`invalidateTags`), `event` (`handleEvent`), `key` (`delete`,
 * definitions' `invalidate`), `pattern` (`deleteMatching`), `remote` (another process's, through
 * the bus), `flush` (every L1 copy dropped: a bus gap or a remote flush).
 */
export type InvalidationKind = 'tag' | 'event' | 'key' | 'pattern' | 'remote' | 'flush';

export const INVALIDATION_KINDS: readonly InvalidationKind[] = [
  'tag',
  'event',
  'key',
  'pattern',
  'remote',
  'flush',
];

/** Errors of one (operation, code) pair. */
export interface ErrorCount {
  readonly operation: string;
  readonly code: string;
  count: number;
}

/** Distinct (operation, code) pairs kept per series; more are counted as `other`/`other`. */
const MAX_ERROR_KINDS = 64;
const OTHER_ERROR = 'other\u0000other';

/** Counters of one series: a namespace, or one key group of a namespace. */
export class Counts {
  /** Reads served by the store, callers that joined such a read included. */
  l2Hits = 0;
  /** Reads not served fresh from the cache, callers that joined such a read included. */
  misses = 0;
  stale = 0;
  /** Callers that joined a read in flight (single-flight), counted in `l2Hits` or `misses` too. */
  coalesced = 0;
  /** Values written to the store. */
  sets = 0;
  /** Loaded values not written because an invalidation (or the load guard) refused them. */
  setsRefused = 0;
  readonly loads: Record<LoadOutcome, number> = { ok: 0, error: 0, timeout: 0 };
  readonly errors: Map<string, ErrorCount> = new Map();

  error(operation: string, code: string, count = 1): void {
    const id = `${operation}\u0000${code}`;
    let entry = this.errors.get(id);
    if (entry === undefined) {
      if (this.errors.size >= MAX_ERROR_KINDS && id !== OTHER_ERROR) {
        this.error(OTHER_GROUP, OTHER_GROUP, count);
        return;
      }
      entry = { operation, code, count: 0 };
      this.errors.set(id, entry);
    }
    entry.count += count;
  }

  get errorTotal(): number {
    let total = 0;
    for (const entry of this.errors.values()) total += entry.count;
    return total;
  }

  get loadTotal(): number {
    return this.loads.ok + this.loads.error + this.loads.timeout;
  }

  /** Adds `other` to this (for totals). */
  add(other: Counts): void {
    this.l2Hits += other.l2Hits;
    this.misses += other.misses;
    this.stale += other.stale;
    this.coalesced += other.coalesced;
    this.sets += other.sets;
    this.setsRefused += other.setsRefused;
    this.loads.ok += other.loads.ok;
    this.loads.error += other.loads.error;
    this.loads.timeout += other.loads.timeout;
    for (const entry of other.errors.values()) this.error(entry.operation, entry.code, entry.count);
  }
}

/** Everything counted for one namespace path. */
export class NamespaceRecord {
  readonly name: string;
  /** All of the namespace, every key group together. */
  readonly counts: Counts = new Counts();
  /** Per key group (with `keyGroup`); `''` holds events that carry no key. */
  readonly groups: Map<string, Counts> = new Map();
  /** L1 hits since metrics started (read from `cache.l1HitCounts()` when collected). */
  l1Hits = 0;
  readonly invalidations: Record<InvalidationKind, number> = {
    tag: 0,
    event: 0,
    key: 0,
    pattern: 0,
    remote: 0,
    flush: 0,
  };
  /** Durations of store reads (L2 hits and misses), ms. */
  readonly reads: LogHistogram = new LogHistogram();
  /** Durations of loader runs, ms. */
  readonly loadTimes: LogHistogram = new LogHistogram();
  /** With Prometheus: store operation durations in seconds, by operation (made on first use). */
  readonly operationBuckets: Partial<Record<OperationName, BucketHistogram>> = {};
  /** With Prometheus: loader durations in seconds, by outcome (made on first use). */
  readonly loaderBuckets: Partial<Record<LoadOutcome, BucketHistogram>> = {};

  constructor(name: string) {
    this.name = name;
  }

  group(name: string): Counts {
    let counts = this.groups.get(name);
    if (counts === undefined) {
      counts = new Counts();
      this.groups.set(name, counts);
    }
    return counts;
  }

  /** Counts `seconds` in the Prometheus histogram of `operation`. */
  observeOperation(operation: OperationName, seconds: number): void {
    (this.operationBuckets[operation] ?? this.#operationBuckets(operation)).observe(seconds);
  }

  /** Counts `seconds` in the Prometheus histogram of loads of `outcome`. */
  observeLoad(outcome: LoadOutcome, seconds: number): void {
    (this.loaderBuckets[outcome] ?? this.#loaderBuckets(outcome)).observe(seconds);
  }

  #operationBuckets(operation: OperationName): BucketHistogram {
    const histogram = new BucketHistogram(OPERATION_BUCKETS);
    this.operationBuckets[operation] = histogram;
    return histogram;
  }

  #loaderBuckets(outcome: LoadOutcome): BucketHistogram {
    const histogram = new BucketHistogram(LOADER_BUCKETS);
    this.loaderBuckets[outcome] = histogram;
    return histogram;
  }

  get hits(): number {
    return this.l1Hits + this.counts.l2Hits;
  }

  /** hits / (hits + misses), or `null` before the first read. */
  get hitRatio(): number | null {
    const reads = this.hits + this.counts.misses;
    return reads === 0 ? null : this.hits / reads;
  }

  get invalidationTotal(): number {
    let total = 0;
    for (const kind of INVALIDATION_KINDS) total += this.invalidations[kind];
    return total;
  }
}

/** Group label of keys beyond `maxGroups` distinct groups, and of a `keyGroup` that failed. */
export const OTHER_GROUP = 'other';

/**
 * Maps store keys to a bounded set of group labels through the user's `keyGroup`: the first
 * `maxGroups` distinct names are kept, later ones become {@link OTHER_GROUP}. Never a raw key
 * unless the user's function returns one, and even then at most `maxGroups` of them.
 */
export class KeyGroups {
  readonly #keyGroup: (key: string) => string;
  readonly #max: number;
  readonly #known = new Set<string>();

  constructor(keyGroup: (key: string) => string, max: number) {
    this.#keyGroup = keyGroup;
    this.#max = max;
  }

  /** The group of a store key of `namespace`, as a label value. */
  of(key: string | undefined, namespace: string): string {
    if (key === undefined) return '';
    let name: unknown;
    try {
      name = this.#keyGroup(relativeKey(key, namespace));
    } catch {
      return OTHER_GROUP;
    }
    if (typeof name !== 'string' || name.length === 0) return OTHER_GROUP;
    if (this.#known.has(name)) return name;
    if (this.#known.size >= this.#max) return OTHER_GROUP;
    this.#known.add(name);
    return name;
  }
}

/** `v1:fleet:miner:m-1:status` in namespace `fleet` -> `miner:m-1:status` (the key parts). */
export function relativeKey(key: string, namespace: string): string {
  const start = key.indexOf(':') + 1;
  if (start === 0 || !key.startsWith(namespace, start)) return key;
  const end = start + namespace.length;
  return key.charCodeAt(end) === 58 ? key.slice(end + 1) : key;
}

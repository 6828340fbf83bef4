import type { BusWatch } from './bus-watch.js';
import { type LatencyStats, LogHistogram } from './log-histogram.js';
import type { CircuitStats, Recorder } from './recorder.js';
import {
  Counts,
  INVALIDATION_KINDS,
  type InvalidationKind,
  type LoadOutcome,
  type NamespaceRecord,
} from './series.js';

export type { LatencyStats } from './log-histogram.js';

/** Counters of one key group of a namespace (L1 hits are counted per namespace only). */
export interface GroupStats {
  readonly l2Hits: number;
  readonly misses: number;
  readonly stale: number;
  readonly coalesced: number;
  readonly sets: number;
  readonly loads: number;
  readonly errors: number;
}

/**
 * What happened in one namespace (or in all of them, for `totals`) since metrics started. Reads
 * (`get`, `getOrSet`, a definition's `get`) are counted per caller: each is a hit or a miss.
 */
export interface NamespaceStats {
  /** Reads served from the cache: `l1Hits + l2Hits`. */
  readonly hits: number;
  /** Reads served by this process's L1 (counted by the cache, not as events). */
  readonly l1Hits: number;
  /** Reads served by the store, callers that joined such a read included. */
  readonly l2Hits: number;
  /**
   * Reads the cache could not serve fresh (missing, expired, invalidated, corrupt, store down),
   * callers that joined such a read included; stale serves are misses too.
   */
  readonly misses: number;
  /** Expired values served (stale-while-revalidate, stale-if-error); each also counted as a miss. */
  readonly stale: number;
  /**
   * Callers that joined a read already in flight for their key (single-flight) instead of reading
   * the store: each is also counted in `l2Hits` or `misses`, as the read it joined.
   */
  readonly coalesced: number;
  /** Values written to the store. */
  readonly sets: number;
  /** Loaded values not stored because an invalidation happened during the load. */
  readonly setsRefused: number;
  /** Failures the cache absorbed or threw, all codes together. */
  readonly errors: number;
  /** Failures by code, e.g. `{ E_STORE_TIMEOUT: 3, E_CIRCUIT_OPEN: 120 }`. */
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Invalidations (operations, not entries), all kinds together. */
  readonly invalidations: number;
  readonly invalidationsByKind: Readonly<Record<InvalidationKind, number>>;
  /** Loader runs, all outcomes together. */
  readonly loads: number;
  readonly loadsByOutcome: Readonly<Record<LoadOutcome, number>>;
  /** `hits / (hits + misses)`, or `null` before the first read. */
  readonly hitRatio: number | null;
  /**
   * Store reads (L2 hits and misses), in ms. L1 hits take nanoseconds and are not timed; nor are
   * coalesced callers, which read nothing themselves.
   */
  readonly latency: LatencyStats;
  /** Loader runs, in ms. */
  readonly loadLatency: LatencyStats;
  /** Per key group, only with the `keyGroup` option (`''`: events without a key). */
  readonly groups?: Readonly<Record<string, GroupStats>>;
}

/** The bus, with the `bus` option: everything since metrics started. */
export interface BusSnapshot {
  /** Valid messages received (once per subscription they reached). */
  readonly messages: number;
  /** Publication-to-receipt lag of those messages, in ms (includes clock skew between hosts). */
  readonly lag: LatencyStats;
  /** Messages published by this bus (from `bus.stats()`, less what it held at the start). */
  readonly published: number;
  /** Gaps detected (reconnects and sequence skips): L1 was flushed for each. */
  readonly gaps: number;
  readonly reconnects: number;
  /** Messages dropped as malformed. */
  readonly malformed: number;
  /** Messages dropped by full stream buffers. */
  readonly dropped: number;
  readonly handlerErrors: number;
}

/** `metrics.stats()`: plain JSON, cheap enough to poll every second. */
export interface MetricsSnapshot {
  /** When it was taken, ms since the epoch. */
  readonly at: number;
  /** Milliseconds since `cacheMetrics()` started counting. */
  readonly uptime: number;
  /** Every namespace together. */
  readonly totals: NamespaceStats;
  /** By namespace path (`fleet`, `fleet:miner`). */
  readonly namespaces: Readonly<Record<string, NamespaceStats>>;
  /** The store's circuit breaker. */
  readonly circuit: CircuitStats;
  /** `null` without the `bus` option. */
  readonly bus: BusSnapshot | null;
}

/** Builds a snapshot; `recorder.refreshL1()` must have run just before. */
export function takeSnapshot(
  recorder: Recorder,
  bus: BusWatch | undefined,
  startedAt: number,
  withGroups: boolean,
): MetricsSnapshot {
  const namespaces: Record<string, NamespaceStats> = {};
  const total = new Counts();
  const invalidations = emptyKinds();
  const reads = new LogHistogram();
  const loadTimes = new LogHistogram();
  let l1Hits = 0;
  for (const record of recorder.namespaces.values()) {
    namespaces[record.name] = namespaceStats(record, withGroups);
    total.add(record.counts);
    for (const kind of INVALIDATION_KINDS) invalidations[kind] += record.invalidations[kind];
    reads.add(record.reads);
    loadTimes.add(record.loadTimes);
    l1Hits += record.l1Hits;
  }
  const now = Date.now();
  return {
    at: now,
    uptime: now - startedAt,
    totals: stats(total, l1Hits, invalidations, reads, loadTimes),
    namespaces,
    circuit: recorder.circuit,
    bus: bus === undefined ? null : busSnapshot(bus),
  };
}

function namespaceStats(record: NamespaceRecord, withGroups: boolean): NamespaceStats {
  const base = stats(
    record.counts,
    record.l1Hits,
    { ...record.invalidations },
    record.reads,
    record.loadTimes,
  );
  if (!withGroups) return base;
  const groups: Record<string, GroupStats> = {};
  for (const [name, counts] of record.groups) {
    groups[name] = {
      l2Hits: counts.l2Hits,
      misses: counts.misses,
      stale: counts.stale,
      coalesced: counts.coalesced,
      sets: counts.sets,
      loads: counts.loadTotal,
      errors: counts.errorTotal,
    };
  }
  return { ...base, groups };
}

function stats(
  counts: Counts,
  l1Hits: number,
  invalidations: Record<InvalidationKind, number>,
  reads: LogHistogram,
  loadTimes: LogHistogram,
): NamespaceStats {
  const hits = l1Hits + counts.l2Hits;
  const errorsByCode: Record<string, number> = {};
  for (const entry of counts.errors.values()) {
    errorsByCode[entry.code] = (errorsByCode[entry.code] ?? 0) + entry.count;
  }
  let invalidationTotal = 0;
  for (const kind of INVALIDATION_KINDS) invalidationTotal += invalidations[kind];
  const readTotal = hits + counts.misses;
  return {
    hits,
    l1Hits,
    l2Hits: counts.l2Hits,
    misses: counts.misses,
    stale: counts.stale,
    coalesced: counts.coalesced,
    sets: counts.sets,
    setsRefused: counts.setsRefused,
    errors: counts.errorTotal,
    errorsByCode,
    invalidations: invalidationTotal,
    invalidationsByKind: invalidations,
    loads: counts.loadTotal,
    loadsByOutcome: { ...counts.loads },
    hitRatio: readTotal === 0 ? null : hits / readTotal,
    latency: reads.stats(),
    loadLatency: loadTimes.stats(),
  };
}

function busSnapshot(watch: BusWatch): BusSnapshot {
  const stats = watch.counters();
  return {
    messages: watch.messages,
    lag: watch.lag.stats(),
    published: stats.published,
    gaps: stats.gaps,
    reconnects: stats.reconnects,
    malformed: stats.malformed,
    dropped: stats.dropped,
    handlerErrors: stats.handlerErrors,
  };
}

function emptyKinds(): Record<InvalidationKind, number> {
  return { tag: 0, event: 0, key: 0, pattern: 0, remote: 0, flush: 0 };
}

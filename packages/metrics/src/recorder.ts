import type { Cache, CacheEvent, CircuitEvent } from '@cachekit/core';
import { notify, type Observer } from './observer.js';
import { type Counts, type KeyGroups, NamespaceRecord } from './series.js';

/** Circuit breaker state as last reported by the cache (`closed` until a change is seen). */
export interface CircuitStats {
  readonly state: CircuitEvent['state'];
  /** Times the circuit opened since metrics started. */
  readonly opens: number;
}

/**
 * Aggregates one cache's events into plain numbers per namespace (and key group), and hands
 * durations to the exporters' histograms. L1 hits are not events: they are read from
 * `cache.l1HitCounts()` when collected ({@link Recorder.refreshL1}).
 */
export class Recorder {
  readonly namespaces: Map<string, NamespaceRecord> = new Map();
  readonly #cache: Cache;
  readonly #groups: KeyGroups | undefined;
  readonly #observers: readonly Observer[];
  readonly #l1Baseline: ReadonlyMap<string, number>;
  #circuit: CircuitEvent['state'] = 'closed';
  #opens = 0;

  constructor(cache: Cache, groups: KeyGroups | undefined, observers: readonly Observer[]) {
    this.#cache = cache;
    this.#groups = groups;
    this.#observers = observers;
    // L1 counters are cumulative since the cache was created; metrics count from now.
    this.#l1Baseline = new Map(cache.l1HitCounts());
  }

  /** Subscribes to every event but L1 hits; returns the function that unsubscribes. */
  listen(): () => void {
    return this.#cache.on('*', (event) => this.#handle(event), { l1Hits: false });
  }

  get circuit(): CircuitStats {
    return { state: this.#circuit, opens: this.#opens };
  }

  record(namespace: string): NamespaceRecord {
    let record = this.namespaces.get(namespace);
    if (record === undefined) {
      record = new NamespaceRecord(namespace);
      this.namespaces.set(namespace, record);
    }
    return record;
  }

  /** Reads the cache's L1 hit counters into the records. */
  refreshL1(): void {
    for (const [namespace, count] of this.#cache.l1HitCounts()) {
      this.record(namespace).l1Hits = count - (this.#l1Baseline.get(namespace) ?? 0);
    }
  }

  #handle(event: CacheEvent): void {
    const namespace = event.namespace;
    const record = this.record(namespace);
    const counts = record.counts;
    switch (event.type) {
      case 'hit': {
        if (event.tier === 'l1') return; // counted by the cache itself
        counts.l2Hits++;
        const group = this.#group(record, event.key);
        if (group !== undefined) group.l2Hits++;
        this.#read(record, event.duration);
        return;
      }
      case 'miss': {
        counts.misses++;
        const group = this.#group(record, event.key);
        if (group !== undefined) group.misses++;
        this.#read(record, event.duration);
        return;
      }
      case 'stale': {
        counts.stale++;
        const group = this.#group(record, event.key);
        if (group !== undefined) group.stale++;
        return;
      }
      case 'set': {
        const group = this.#group(record, event.key);
        if (event.stored) {
          counts.sets++;
          if (group !== undefined) group.sets++;
          this.#operation(namespace, 'set', event.duration);
        } else {
          counts.setsRefused++;
          if (group !== undefined) group.setsRefused++;
        }
        return;
      }
      case 'load': {
        counts.loads[event.outcome]++;
        const group = this.#group(record, event.key);
        if (group !== undefined) group.loads[event.outcome]++;
        record.loadTimes.observe(event.duration);
        const seconds = event.duration / 1000;
        notify(this.#observers, (o) => o.load(namespace, event.outcome, seconds));
        return;
      }
      case 'error': {
        const code = typeof event.error?.code === 'string' ? event.error.code : 'E_UNKNOWN';
        counts.error(event.operation, code);
        this.#group(record, event.key)?.error(event.operation, code);
        return;
      }
      case 'delete':
        record.invalidations[event.pattern === undefined ? 'key' : 'pattern']++;
        this.#operation(namespace, 'delete', event.duration);
        return;
      case 'invalidate':
        if (event.remote === true) {
          record.invalidations[event.flush === true ? 'flush' : 'remote']++;
          return;
        }
        record.invalidations[event.event === undefined ? 'tag' : 'event']++;
        this.#operation(namespace, 'invalidate', event.duration);
        return;
      case 'circuit':
        this.#circuit = event.state;
        if (event.state === 'open') this.#opens++;
        return;
    }
  }

  /** The key group's counters, when `keyGroup` is set (events without a key: group `''`). */
  #group(record: NamespaceRecord, key: string | undefined): Counts | undefined {
    const groups = this.#groups;
    if (groups === undefined) return undefined;
    return record.group(groups.of(key, record.name));
  }

  #read(record: NamespaceRecord, ms: number): void {
    record.reads.observe(ms);
    this.#operation(record.name, 'read', ms);
  }

  #operation(namespace: string, operation: 'read' | 'set' | 'delete' | 'invalidate', ms: number) {
    if (this.#observers.length === 0) return;
    const seconds = ms / 1000;
    notify(this.#observers, (o) => o.operation(namespace, operation, seconds));
  }
}

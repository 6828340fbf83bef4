import type { Cache, CacheEvent, CircuitEvent } from '@cachekit/core';
import { exportFailed, type Observer } from './observer.js';
import {
  type Counts,
  type KeyGroups,
  type LoadOutcome,
  NamespaceRecord,
  type OperationName,
} from './series.js';

/** Circuit breaker state, as the cache reported it when metrics started and since. */
export interface CircuitStats {
  readonly state: CircuitEvent['state'];
  /** Times the circuit opened since metrics started. */
  readonly opens: number;
}

/**
 * Aggregates one cache's events into plain numbers per namespace (and key group), counts
 * durations into bucket arrays for Prometheus (`buckets`), and hands them to the exporters that
 * record histograms themselves (`observers`). L1 hits are not events: they are read from
 * `cache.l1HitCounts()` when collected ({@link Recorder.refreshL1}). A namespace gets a record
 * with its first activity since metrics started, so idle namespaces export nothing.
 */
export class Recorder {
  readonly namespaces: Map<string, NamespaceRecord> = new Map();
  /** Root namespace of the cache, where its circuit breaker is reported. */
  readonly root: string;
  readonly #cache: Cache;
  readonly #groups: KeyGroups | undefined;
  readonly #observers: readonly Observer[];
  readonly #buckets: boolean;
  readonly #l1Baseline: ReadonlyMap<string, number>;
  #circuit: CircuitEvent['state'] = 'closed';
  #opens = 0;
  #last: NamespaceRecord | undefined;

  constructor(
    cache: Cache,
    groups: KeyGroups | undefined,
    observers: readonly Observer[],
    buckets: boolean,
  ) {
    this.#cache = cache;
    this.#groups = groups;
    this.#observers = observers;
    this.#buckets = buckets;
    this.root = rootNamespace(cache.namespaceName);
    // L1 counters are cumulative since the cache was created; metrics count from now.
    this.#l1Baseline = new Map(cache.l1HitCounts());
  }

  /** Subscribes to every event but L1 hits; returns the function that unsubscribes. */
  listen(): () => void {
    const stop = this.#cache.on('*', (event) => this.#handle(event), { l1Hits: false });
    // A circuit already open stays so until a change, which now arrives as an event.
    this.#circuit = this.#cache.circuitState() ?? 'closed';
    return stop;
  }

  get circuit(): CircuitStats {
    return { state: this.#circuit, opens: this.#opens };
  }

  record(namespace: string): NamespaceRecord {
    // Events come in runs of one namespace: the last record is the likely one.
    const last = this.#last;
    if (last !== undefined && last.name === namespace) return last;
    let record = this.namespaces.get(namespace);
    if (record === undefined) {
      record = new NamespaceRecord(namespace);
      this.namespaces.set(namespace, record);
    }
    this.#last = record;
    return record;
  }

  /** Reads the cache's L1 hit counters into the records (a namespace with no hit since start: none). */
  refreshL1(): void {
    for (const [namespace, count] of this.#cache.l1HitCounts()) {
      const hits = count - (this.#l1Baseline.get(namespace) ?? 0);
      const record = hits > 0 ? this.record(namespace) : this.namespaces.get(namespace);
      if (record !== undefined) record.l1Hits = hits;
    }
  }

  #handle(event: CacheEvent): void {
    if (event.type === 'circuit') {
      this.#circuit = event.state;
      if (event.state === 'open') this.#opens++;
      return;
    }
    const namespace = event.namespace;
    const record = this.record(namespace);
    const counts = record.counts;
    switch (event.type) {
      case 'hit': {
        if (event.tier === 'l1') return; // counted by the cache itself
        const coalesced = event.coalesced === true;
        counts.l2Hits++;
        if (coalesced) counts.coalesced++;
        const group = this.#group(record, event.key);
        if (group !== undefined) {
          group.l2Hits++;
          if (coalesced) group.coalesced++;
        }
        // A caller that joined another's read waited for it: no store operation of its own.
        if (!coalesced) this.#read(record, event.duration);
        return;
      }
      case 'miss': {
        const coalesced = event.coalesced === true;
        counts.misses++;
        if (coalesced) counts.coalesced++;
        const group = this.#group(record, event.key);
        if (group !== undefined) {
          group.misses++;
          if (coalesced) group.coalesced++;
        }
        if (!coalesced) this.#read(record, event.duration);
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
          this.#operation(record, 'set', event.duration);
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
        this.#load(record, event.outcome, event.duration);
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
        this.#operation(record, 'delete', event.duration);
        return;
      case 'invalidate':
        if (event.remote === true) {
          record.invalidations[event.flush === true ? 'flush' : 'remote']++;
          return;
        }
        record.invalidations[event.event === undefined ? 'tag' : 'event']++;
        this.#operation(record, 'invalidate', event.duration);
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
    this.#operation(record, 'read', ms);
  }

  #operation(record: NamespaceRecord, operation: OperationName, ms: number): void {
    const seconds = ms / 1000;
    if (this.#buckets) record.observeOperation(operation, seconds);
    for (const observer of this.#observers) {
      try {
        observer.operation(record.name, operation, seconds);
      } catch (error) {
        exportFailed(error);
      }
    }
  }

  #load(record: NamespaceRecord, outcome: LoadOutcome, ms: number): void {
    const seconds = ms / 1000;
    if (this.#buckets) record.observeLoad(outcome, seconds);
    for (const observer of this.#observers) {
      try {
        observer.load(record.name, outcome, seconds);
      } catch (error) {
        exportFailed(error);
      }
    }
  }
}

/** `fleet` of `fleet:miner`: namespace names cannot contain `:`. */
export function rootNamespace(namespace: string): string {
  const end = namespace.indexOf(':');
  return end === -1 ? namespace : namespace.slice(0, end);
}

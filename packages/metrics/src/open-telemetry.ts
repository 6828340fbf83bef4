import { BUS_LAG_BUCKETS, LOADER_BUCKETS, OPERATION_BUCKETS } from './buckets.js';
import { type CountsRow, countRows, type ExportSource } from './export-source.js';
import type { Observer } from './observer.js';
import { INVALIDATION_KINDS, type LoadOutcome } from './series.js';

/** Attributes of an OpenTelemetry measurement. */
export type OtelAttributes = Record<string, string>;

/** Options of an OpenTelemetry instrument (a subset of `@opentelemetry/api`'s `MetricOptions`). */
export interface OtelInstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

/** What a batch observable callback receives (`BatchObservableResult`). */
export interface OtelBatchResult {
  observe(observable: object, value: number, attributes?: OtelAttributes): void;
}

/** An `@opentelemetry/api` `Meter`, typed by the methods the exporter uses. */
export interface OtelMeterLike {
  createHistogram(
    name: string,
    options?: OtelInstrumentOptions,
  ): { record(value: number, attributes?: OtelAttributes): void };
  createObservableCounter(name: string, options?: OtelInstrumentOptions): object;
  createObservableGauge(name: string, options?: OtelInstrumentOptions): object;
  addBatchObservableCallback(
    callback: (result: OtelBatchResult) => void,
    observables: object[],
  ): void;
  removeBatchObservableCallback(
    callback: (result: OtelBatchResult) => void,
    observables: object[],
  ): void;
}

/** A running OpenTelemetry export: the histogram observer, and `close()` to stop observing. */
export interface OtelExport {
  readonly observer: Observer;
  close(): void;
}

const LOAD_OUTCOMES: readonly LoadOutcome[] = ['ok', 'error', 'timeout'];

/**
 * Creates the instruments on `meter`: observable counters and gauges fed from the plain numbers
 * by one batch callback at collection time, histograms recorded per event.
 */
export function exportOpenTelemetry(meter: OtelMeterLike, source: ExportSource): OtelExport {
  const counter = (name: string, description: string): object =>
    meter.createObservableCounter(name, { description });
  const hits = counter('cachekit.hits', 'Reads served from the cache, by tier (l1, l2).');
  const misses = counter('cachekit.misses', 'Reads the cache could not serve.');
  const stale = counter(
    'cachekit.stale',
    'Expired values served (stale-while-revalidate/if-error).',
  );
  const sets = counter('cachekit.sets', 'Values written to the store.');
  const refused = counter('cachekit.sets.refused', 'Loaded values not stored (invalidated).');
  const errors = counter('cachekit.errors', 'Failures, by operation and error code.');
  const invalidations = counter('cachekit.invalidations', 'Invalidation operations, by kind.');
  const loads = counter('cachekit.loads', 'Loader runs, by outcome.');
  const hitRatio = meter.createObservableGauge('cachekit.hit_ratio', {
    description: 'hits / (hits + misses) since metrics started.',
  });
  const circuitOpen = meter.createObservableGauge('cachekit.circuit.open', {
    description: '1 while the store circuit breaker is open or half-open, else 0.',
  });
  const observables: object[] = [
    hits,
    misses,
    stale,
    sets,
    refused,
    errors,
    invalidations,
    loads,
    hitRatio,
    circuitOpen,
  ];
  const bus = source.bus;
  const busCounters =
    bus === undefined
      ? undefined
      : {
          messages: counter('cachekit.bus.messages', 'Valid bus messages received.'),
          gaps: counter('cachekit.bus.gaps', 'Bus gaps detected (reconnects, sequence skips).'),
          reconnects: counter('cachekit.bus.reconnects', 'Reconnects of the bus subscriber.'),
          malformed: counter('cachekit.bus.malformed', 'Bus messages dropped as malformed.'),
        };
  if (busCounters !== undefined) observables.push(...Object.values(busCounters));

  const callback = (result: OtelBatchResult): void => {
    const { rows, records } = countRows(source);
    for (const row of rows) {
      const { counts } = row;
      result.observe(hits, counts.l2Hits, attributes(row, { tier: 'l2' }));
      result.observe(misses, counts.misses, attributes(row));
      result.observe(stale, counts.stale, attributes(row));
      result.observe(sets, counts.sets, attributes(row));
      result.observe(refused, counts.setsRefused, attributes(row));
      for (const entry of counts.errors.values()) {
        result.observe(
          errors,
          entry.count,
          attributes(row, { operation: entry.operation, code: entry.code }),
        );
      }
      for (const outcome of LOAD_OUTCOMES) {
        result.observe(loads, counts.loads[outcome], attributes(row, { outcome }));
      }
    }
    for (const record of records) {
      const namespace = record.name;
      result.observe(
        hits,
        record.l1Hits,
        source.withGroups ? { namespace, tier: 'l1', group: '' } : { namespace, tier: 'l1' },
      );
      for (const kind of INVALIDATION_KINDS) {
        result.observe(invalidations, record.invalidations[kind], { namespace, kind });
      }
      const ratio = record.hitRatio;
      if (ratio !== null) result.observe(hitRatio, ratio, { namespace });
    }
    result.observe(circuitOpen, source.recorder.circuit.state === 'closed' ? 0 : 1);
    if (bus !== undefined && busCounters !== undefined) {
      const stats = bus.bus.stats();
      result.observe(busCounters.messages, bus.messages);
      result.observe(busCounters.gaps, stats.gaps);
      result.observe(busCounters.reconnects, stats.reconnects);
      result.observe(busCounters.malformed, stats.malformed);
    }
  };
  meter.addBatchObservableCallback(callback, observables);

  const histogram = (name: string, description: string, bounds: readonly number[]) =>
    meter.createHistogram(name, {
      description,
      unit: 's',
      advice: { explicitBucketBoundaries: [...bounds] },
    });
  const operation = histogram(
    'cachekit.operation.duration',
    'Store operations: read (L2 hits and misses), set, delete, invalidate.',
    OPERATION_BUCKETS,
  );
  const loader = histogram('cachekit.loader.duration', 'Loader runs, by outcome.', LOADER_BUCKETS);
  const lag =
    bus === undefined
      ? undefined
      : histogram('cachekit.bus.lag', 'Bus message publication-to-receipt time.', BUS_LAG_BUCKETS);
  const cached = new Map<string, OtelAttributes>();
  const pair = (namespace: string, name: string, value: string): OtelAttributes => {
    const id = `${name}\u0000${namespace}\u0000${value}`;
    let found = cached.get(id);
    if (found === undefined) {
      found = { namespace, [name]: value };
      cached.set(id, found);
    }
    return found;
  };
  let closed = false;
  return {
    observer: {
      operation: (namespace, op, seconds) => {
        if (!closed) operation.record(seconds, pair(namespace, 'operation', op));
      },
      load: (namespace, outcome, seconds) => {
        if (!closed) loader.record(seconds, pair(namespace, 'outcome', outcome));
      },
      busLag: (seconds) => {
        if (!closed) lag?.record(seconds);
      },
    },
    close() {
      if (closed) return;
      closed = true;
      meter.removeBatchObservableCallback(callback, observables);
    },
  };
}

function attributes(row: CountsRow, extra?: OtelAttributes): OtelAttributes {
  const attrs: OtelAttributes = { namespace: row.namespace, ...extra };
  if (row.group !== undefined) attrs.group = row.group;
  return attrs;
}

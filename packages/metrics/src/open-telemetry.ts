import { BUS_LAG_BUCKETS, LOADER_BUCKETS, OPERATION_BUCKETS } from './buckets.js';
import { MetricsAlreadyRegisteredError } from './errors.js';
import { type CountsRow, countRows, type ExportSource } from './export-source.js';
import type { Observer } from './observer.js';
import { INVALIDATION_KINDS, LOAD_OUTCOMES } from './series.js';

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

/**
 * What each meter exports already, by running `cacheMetrics()`: the root namespaces of their
 * caches, and {@link BUS} for the one with a bus. Two exports of one root namespace (or two buses)
 * on one meter would observe the same series, and the last observation would win silently.
 */
const claimed = new WeakMap<object, Set<string>>();
/** Claims the bus instruments, which carry no namespace attribute. */
const BUS = '\u0000bus';

function claim(meter: OtelMeterLike, keys: readonly string[]): () => void {
  const taken = claimed.get(meter) ?? new Set<string>();
  const clash = keys.filter((key) => taken.has(key));
  if (clash.length > 0) {
    const what = clash.map((key) => (key === BUS ? 'a bus' : `namespace "${key}"`)).join(' and ');
    throw new MetricsAlreadyRegisteredError(
      `This OpenTelemetry meter already exports the cachekit metrics of ${what}: another ` +
        'cacheMetrics() on it was not closed, or two caches share a root namespace (or both were ' +
        'given the bus). Call close() on the first one, pass `bus` to only one, or use another ' +
        "meter (metrics.getMeter('other-name')).",
    );
  }
  for (const key of keys) taken.add(key);
  claimed.set(meter, taken);
  return () => {
    for (const key of keys) taken.delete(key);
  };
}

/**
 * Creates the instruments on `meter`: observable counters and gauges fed from the plain numbers
 * by one batch callback at collection time, histograms recorded per event (an OpenTelemetry
 * histogram cannot be fed pre-aggregated buckets). Refuses, with `MetricsAlreadyRegisteredError`
 * and before creating anything, a meter that already exports the same root namespace or a bus.
 */
export function exportOpenTelemetry(meter: OtelMeterLike, source: ExportSource): OtelExport {
  const root = source.recorder.root;
  const release = claim(meter, source.bus === undefined ? [root] : [root, BUS]);
  try {
    return instrument(meter, source, release);
  } catch (error) {
    release();
    throw error;
  }
}

function instrument(meter: OtelMeterLike, source: ExportSource, release: () => void): OtelExport {
  const root = source.recorder.root;
  const counter = (name: string, description: string): object =>
    meter.createObservableCounter(name, { description });
  const hits = counter('cachekit.hits', 'Reads served from the cache, by tier (l1, l2).');
  const misses = counter('cachekit.misses', 'Reads the cache could not serve.');
  const coalesced = counter(
    'cachekit.coalesced',
    'Reads that joined a read in flight for their key (also counted as hits or misses).',
  );
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
    coalesced,
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
      result.observe(coalesced, counts.coalesced, attributes(row));
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
    const circuit = source.recorder.circuit.state === 'closed' ? 0 : 1;
    result.observe(circuitOpen, circuit, { namespace: root });
    if (bus !== undefined && busCounters !== undefined) {
      const stats = bus.counters();
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
  const operationAttributes = new AttributeCache('operation');
  const loadAttributes = new AttributeCache('outcome');
  let closed = false;
  return {
    observer: {
      operation: (namespace, op, seconds) => {
        if (!closed) operation.record(seconds, operationAttributes.of(namespace, op));
      },
      load: (namespace, outcome, seconds) => {
        if (!closed) loader.record(seconds, loadAttributes.of(namespace, outcome));
      },
      busLag: (seconds) => {
        if (!closed) lag?.record(seconds);
      },
    },
    close() {
      if (closed) return;
      closed = true;
      meter.removeBatchObservableCallback(callback, observables);
      release();
    },
  };
}

/** `{ namespace, [name]: value }` objects, made once per pair and reused for every recording. */
class AttributeCache {
  readonly #name: string;
  readonly #byNamespace = new Map<string, Map<string, OtelAttributes>>();

  constructor(name: string) {
    this.#name = name;
  }

  of(namespace: string, value: string): OtelAttributes {
    let values = this.#byNamespace.get(namespace);
    if (values === undefined) {
      values = new Map();
      this.#byNamespace.set(namespace, values);
    }
    let found = values.get(value);
    if (found === undefined) {
      found = { namespace, [this.#name]: value };
      values.set(value, found);
    }
    return found;
  }
}

function attributes(row: CountsRow, extra?: OtelAttributes): OtelAttributes {
  const attrs: OtelAttributes = { namespace: row.namespace, ...extra };
  if (row.group !== undefined) attrs.group = row.group;
  return attrs;
}

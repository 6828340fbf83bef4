import type { Counter, Gauge, Registry } from 'prom-client';
import type { BucketHistogram } from './bucket-histogram.js';
import { MetricsAlreadyRegisteredError } from './errors.js';
import { countRows, type ExportSource } from './export-source.js';
import type { PromClientModule } from './peer.js';
import { histogramMetric } from './prometheus-histogram.js';
import { INVALIDATION_KINDS, LOAD_OUTCOMES, OPERATION_NAMES } from './series.js';

/** A prom-client `Registry`, typed by the methods the exporter uses. */
export interface PrometheusRegistryLike {
  getSingleMetric(name: string): unknown;
  removeSingleMetric(name: string): void;
  registerMetric(metric: never): void;
}

type Labels = Record<string, string>;
type Emit = (labels: Labels, value: number) => void;

/** A running Prometheus export: `close()` unregisters it. */
export interface PrometheusExport {
  close(): void;
}

/**
 * Registers the metrics in `registry`, all computed from the recorder's plain numbers at scrape
 * time: counters and gauges through prom-client's `collect()`, histograms from the recorder's
 * bucket arrays (nothing is observed per event). Refuses, before registering anything, a
 * registry that already holds one of the names.
 */
export function exportPrometheus(
  prom: PromClientModule,
  registry: PrometheusRegistryLike,
  prefix: string,
  source: ExportSource,
): PrometheusExport {
  const registers = [registry as unknown as Registry];
  const group = source.withGroups ? ['group'] : [];
  const names: string[] = [];
  const specs: Array<() => object> = [];
  const name = (suffix: string): string => {
    const full = `${prefix}${suffix}`;
    names.push(full);
    return full;
  };

  /** A counter or gauge whose values are recomputed from the recorder's totals at each scrape. */
  const collected =
    (kind: 'counter' | 'gauge') =>
    (suffix: string, help: string, labelNames: string[], fill: (emit: Emit) => void): void => {
      const full = name(suffix);
      specs.push(() => {
        const options = { name: full, help, labelNames, registers };
        if (kind === 'gauge') {
          return new prom.Gauge<string>({
            ...options,
            collect(this: Gauge<string>) {
              this.reset();
              fill((labels, value) => this.set(labels, value));
            },
          });
        }
        return new prom.Counter<string>({
          ...options,
          collect(this: Counter<string>) {
            // Totals since start, set afresh: reset() + inc() within one synchronous collect.
            this.reset();
            fill((labels, value) => this.inc(labels, value));
          },
        });
      });
    };
  const counter = collected('counter');
  const gauge = collected('gauge');
  const histogram = (
    suffix: string,
    help: string,
    fill: (emit: (labels: Labels, histogram: BucketHistogram) => void) => void,
  ): void => {
    const full = name(suffix);
    specs.push(() => {
      const metric = histogramMetric(full, help, fill);
      registry.registerMetric(metric as never);
      return metric;
    });
  };

  counter(
    'hits_total',
    'Reads served from the cache, by tier (l1: this process, l2: the store).',
    ['namespace', 'tier', ...group],
    (emit) => {
      const { rows, records } = countRows(source);
      for (const row of rows) emit(labelsOf(row, { tier: 'l2' }), row.counts.l2Hits);
      for (const record of records) {
        emit(
          source.withGroups
            ? { namespace: record.name, tier: 'l1', group: '' }
            : { namespace: record.name, tier: 'l1' },
          record.l1Hits,
        );
      }
    },
  );
  counter('misses_total', 'Reads the cache could not serve.', ['namespace', ...group], (emit) => {
    for (const row of countRows(source).rows) emit(labelsOf(row), row.counts.misses);
  });
  counter(
    'coalesced_total',
    'Reads that joined a read in flight for their key (also counted as hits or misses).',
    ['namespace', ...group],
    (emit) => {
      for (const row of countRows(source).rows) emit(labelsOf(row), row.counts.coalesced);
    },
  );
  counter(
    'stale_total',
    'Expired values served while refreshing or because the source failed.',
    ['namespace', ...group],
    (emit) => {
      for (const row of countRows(source).rows) emit(labelsOf(row), row.counts.stale);
    },
  );
  counter('sets_total', 'Values written to the store.', ['namespace', ...group], (emit) => {
    for (const row of countRows(source).rows) emit(labelsOf(row), row.counts.sets);
  });
  counter(
    'sets_refused_total',
    'Loaded values not stored because an invalidation happened during the load.',
    ['namespace', ...group],
    (emit) => {
      for (const row of countRows(source).rows) emit(labelsOf(row), row.counts.setsRefused);
    },
  );
  counter(
    'errors_total',
    'Failures the cache absorbed (fail-open) or threw, by operation and error code.',
    ['namespace', 'operation', 'code', ...group],
    (emit) => {
      for (const row of countRows(source).rows) {
        for (const entry of row.counts.errors.values()) {
          emit(labelsOf(row, { operation: entry.operation, code: entry.code }), entry.count);
        }
      }
    },
  );
  counter(
    'invalidations_total',
    'Invalidation operations, by kind (tag, event, key, pattern, remote, flush).',
    ['namespace', 'kind'],
    (emit) => {
      for (const record of countRows(source).records) {
        for (const kind of INVALIDATION_KINDS) {
          emit({ namespace: record.name, kind }, record.invalidations[kind]);
        }
      }
    },
  );
  counter(
    'loads_total',
    'Loader runs, by outcome (ok, error, timeout).',
    ['namespace', 'outcome', ...group],
    (emit) => {
      for (const row of countRows(source).rows) {
        for (const outcome of LOAD_OUTCOMES) {
          emit(labelsOf(row, { outcome }), row.counts.loads[outcome]);
        }
      }
    },
  );
  gauge(
    'hit_ratio',
    'hits / (hits + misses) since metrics started (absent before the first read).',
    ['namespace'],
    (emit) => {
      for (const record of countRows(source).records) {
        const ratio = record.hitRatio;
        if (ratio !== null) emit({ namespace: record.name }, ratio);
      }
    },
  );
  gauge(
    'circuit_open',
    '1 while the store circuit breaker is open or half-open (calls go to the source), else 0.',
    ['namespace'],
    (emit) => {
      const { recorder } = source;
      emit({ namespace: recorder.root }, recorder.circuit.state === 'closed' ? 0 : 1);
    },
  );
  histogram(
    'operation_duration_seconds',
    'Store operations: read (L2 hits and misses), set, delete, invalidate.',
    (emit) => {
      for (const record of source.recorder.namespaces.values()) {
        for (const operation of OPERATION_NAMES) {
          const found = record.operationBuckets[operation];
          if (found !== undefined) emit({ namespace: record.name, operation }, found);
        }
      }
    },
  );
  histogram('loader_duration_seconds', 'Loader runs, by outcome.', (emit) => {
    for (const record of source.recorder.namespaces.values()) {
      for (const outcome of LOAD_OUTCOMES) {
        const found = record.loaderBuckets[outcome];
        if (found !== undefined) emit({ namespace: record.name, outcome }, found);
      }
    }
  });
  const bus = source.bus;
  if (bus !== undefined) {
    counter(
      'bus_messages_total',
      'Valid bus messages received (once per subscription they reached).',
      [],
      (emit) => emit({}, bus.messages),
    );
    counter('bus_gaps_total', 'Bus gaps detected (reconnects, sequence skips).', [], (emit) =>
      emit({}, bus.counters().gaps),
    );
    counter('bus_reconnects_total', 'Reconnects of the bus subscriber.', [], (emit) =>
      emit({}, bus.counters().reconnects),
    );
    counter('bus_malformed_total', 'Bus messages dropped as malformed.', [], (emit) =>
      emit({}, bus.counters().malformed),
    );
    histogram(
      'bus_lag_seconds',
      'Time from publication to receipt of bus messages (includes clock skew).',
      (emit) => {
        if (bus.lagBuckets !== undefined) emit({}, bus.lagBuckets);
      },
    );
  }

  const taken = names.filter((metric) => registry.getSingleMetric(metric) !== undefined);
  if (taken.length > 0) {
    throw new MetricsAlreadyRegisteredError(
      `The registry already holds ${taken.join(', ')}: another cacheMetrics() registered them and ` +
        'was not closed. Call close() on it first, or pass another `prefix` or `registry`.',
    );
  }
  const registered: object[] = [];
  const unregister = (): void => {
    for (const metric of registered) {
      const metricName = (metric as { name: string }).name;
      if (registry.getSingleMetric(metricName) === metric) registry.removeSingleMetric(metricName);
    }
    registered.length = 0;
  };
  try {
    for (const spec of specs) registered.push(spec());
  } catch (error) {
    unregister();
    throw new MetricsAlreadyRegisteredError(
      `Registering the cachekit metrics failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }

  return { close: unregister };
}

function labelsOf(
  row: { readonly namespace: string; readonly group: string | undefined },
  extra?: Labels,
): Labels {
  const labels: Labels = { namespace: row.namespace, ...extra };
  if (row.group !== undefined) labels.group = row.group;
  return labels;
}

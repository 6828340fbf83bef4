import type { BucketHistogram } from './bucket-histogram.js';

type Labels = Record<string, string>;

/** One sample as prom-client's `Registry` reads it from a metric's `get()`. */
export interface PrometheusSample {
  readonly metricName: string;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
}

/** What `get()` resolves to: the shape of prom-client's own `Histogram#get()`. */
export interface PrometheusMetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  readonly values: PrometheusSample[];
}

/**
 * A histogram metric for prom-client's `Registry` (`registerMetric`), whose samples are
 * pre-aggregated bucket arrays read when scraped, instead of a prom-client `Histogram` that hashes
 * labels on every `observe()`. The registry needs `name`, `help`, `type`, `get()` (text, JSON and
 * cluster exposition), `reset()` (`resetMetrics()`) and `aggregator` (cluster mode).
 */
export interface PrometheusHistogramMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram';
  readonly aggregator: 'sum';
  get(): Promise<PrometheusMetricData>;
  /** Does nothing: the values are the recorder's, as the collected counters' are. */
  reset(): void;
}

/** Builds the metric; `fill` hands over every labelled histogram to export, at each scrape. */
export function histogramMetric(
  name: string,
  help: string,
  fill: (emit: (labels: Labels, histogram: BucketHistogram) => void) => void,
): PrometheusHistogramMetric {
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    async get() {
      const values: PrometheusSample[] = [];
      fill((labels, histogram) => {
        for (const sample of histogram.samples()) {
          values.push({
            metricName: `${name}${sample.suffix}`,
            labels: sample.le === undefined ? labels : { ...labels, le: sample.le },
            value: sample.value,
          });
        }
      });
      return { name, help, type: 'histogram', aggregator: 'sum', values };
    },
    reset() {},
  };
}

export { BUS_LAG_BUCKETS, LOADER_BUCKETS, OPERATION_BUCKETS } from './buckets.js';
export type { BusMessageLike, BusStatsLike, MetricsBus } from './bus-watch.js';
export { type CacheMetrics, cacheMetrics } from './cache-metrics.js';
export { MetricsAlreadyRegisteredError, MetricsPeerMissingError } from './errors.js';
export { LOG_MESSAGE, type MetricsLogger } from './log-line.js';
export type {
  OtelAttributes,
  OtelBatchResult,
  OtelInstrumentOptions,
  OtelMeterLike,
} from './open-telemetry.js';
export type {
  CacheMetricsOptions,
  LogOptions,
  OpenTelemetryOptions,
  PrometheusOptions,
} from './options.js';
export type { PrometheusRegistryLike } from './prometheus.js';
export type { CircuitStats } from './recorder.js';
export type { InvalidationKind, LoadOutcome } from './series.js';
export type {
  BusSnapshot,
  GroupStats,
  LatencyStats,
  MetricsSnapshot,
  NamespaceStats,
} from './snapshot.js';

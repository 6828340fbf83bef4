import { type Duration, InvalidOptionError, toMilliseconds } from '@cachekit/core';
import type { MetricsBus } from './bus-watch.js';
import type { MetricsLogger } from './log-line.js';
import type { OtelMeterLike } from './open-telemetry.js';
import type { PrometheusRegistryLike } from './prometheus.js';

/** Options of the Prometheus exporter. */
export interface PrometheusOptions {
  /** The prom-client `Registry` to register in. Default: prom-client's global `register`. */
  registry?: PrometheusRegistryLike;
  /** Prefix of every metric name. Default: `'cachekit_'`. */
  prefix?: string;
}

/** Options of the OpenTelemetry exporter. */
export interface OpenTelemetryOptions {
  /** The `Meter` to create the instruments on (`metrics.getMeter('my-service')`). Required. */
  meter: OtelMeterLike;
}

/** Options of the periodic log line. */
export interface LogOptions {
  /** A pino-compatible logger: `logger.info(object, 'cachekit metrics')` is called. Required. */
  logger: MetricsLogger;
  /** Time between two lines. Default: `'60s'`. */
  interval?: Duration;
}

/** Options of {@link cacheMetrics}. Every one is optional. */
export interface CacheMetricsOptions {
  /**
   * Export to Prometheus through prom-client (an optional peer, loaded only when asked for).
   * Default: `false` (no export; `stats()` works anyway).
   */
  prometheus?: PrometheusOptions | false;
  /** Export to OpenTelemetry through the given `Meter`. Default: `false`. */
  openTelemetry?: OpenTelemetryOptions | false;
  /** A `@cachekit/pubsub` bus: messages, lag, gaps, reconnects and malformed drops. Default: none. */
  bus?: MetricsBus;
  /**
   * Maps a key to a bounded group name, added as a `group` label to the per-key counters (hits,
   * misses, stale, sets, loads, errors). It receives the key parts within the event's namespace
   * (`'miner:m-1:status'` for the store key `v1:fleet:miner:m-1:status` in namespace `fleet`); a
   * function that throws or returns a non-string counts the key as `'other'`. Default: none (no
   * `group` label).
   */
  keyGroup?: (key: string) => string;
  /**
   * Most distinct groups `keyGroup` may create; keys of further groups are counted as `'other'`.
   * Default: `100`.
   */
  maxGroups?: number;
  /** Log a summary line periodically. Default: none. */
  log?: LogOptions;
}

/** Options after validation. */
export interface ResolvedMetricsOptions {
  readonly prometheus:
    | { readonly registry: PrometheusRegistryLike | undefined; readonly prefix: string }
    | undefined;
  readonly meter: OtelMeterLike | undefined;
  readonly bus: MetricsBus | undefined;
  readonly keyGroup: ((key: string) => string) | undefined;
  readonly maxGroups: number;
  readonly log: { readonly logger: MetricsLogger; readonly interval: number } | undefined;
}

const METRIC_PREFIX = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/** Validates the options, throwing `InvalidOptionError` (`E_INVALID_OPTION`) naming the option. */
export function resolveMetricsOptions(options: CacheMetricsOptions): ResolvedMetricsOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError('cacheMetrics(cache, options): options must be an object.');
  }
  const fail = (message: string): never => {
    throw new InvalidOptionError(`cacheMetrics: ${message}`);
  };
  let prometheus: ResolvedMetricsOptions['prometheus'];
  if (options.prometheus !== undefined && options.prometheus !== false) {
    const { registry, prefix = 'cachekit_' } = objectOption(options.prometheus, 'prometheus');
    if (typeof prefix !== 'string' || !METRIC_PREFIX.test(prefix)) {
      fail(
        `prometheus.prefix must be a valid metric name prefix like 'cachekit_', got ${JSON.stringify(prefix)}.`,
      );
    }
    if (
      registry !== undefined &&
      (typeof registry?.getSingleMetric !== 'function' ||
        typeof registry.removeSingleMetric !== 'function' ||
        typeof registry.registerMetric !== 'function')
    ) {
      fail('prometheus.registry must be a prom-client Registry.');
    }
    prometheus = { registry, prefix };
  }
  let meter: OtelMeterLike | undefined;
  if (options.openTelemetry !== undefined && options.openTelemetry !== false) {
    meter = objectOption(options.openTelemetry, 'openTelemetry').meter;
    if (
      typeof meter?.createHistogram !== 'function' ||
      typeof meter.addBatchObservableCallback !== 'function'
    ) {
      fail('openTelemetry.meter must be an @opentelemetry/api Meter (metrics.getMeter(name)).');
    }
  }
  const bus = options.bus;
  if (bus !== undefined && (typeof bus?.on !== 'function' || typeof bus.stats !== 'function')) {
    fail('bus must be a @cachekit/pubsub Bus (createBus(...)).');
  }
  if (options.keyGroup !== undefined && typeof options.keyGroup !== 'function') {
    fail('keyGroup must be a function (key) => group name.');
  }
  const maxGroups = options.maxGroups ?? 100;
  if (!Number.isSafeInteger(maxGroups) || maxGroups < 1) {
    fail(`maxGroups must be a positive integer, got ${String(options.maxGroups)}.`);
  }
  let log: ResolvedMetricsOptions['log'];
  if (options.log !== undefined) {
    const { logger, interval = '60s' } = objectOption(options.log, 'log');
    if (typeof logger?.info !== 'function') {
      fail('log.logger must have an info(object, message) method (pino, or console-like).');
    }
    log = { logger, interval: intervalMs(interval) };
  }
  return { prometheus, meter, bus, keyGroup: options.keyGroup, maxGroups, log };
}

function objectOption<T>(value: T, name: string): T {
  if (value === null || typeof value !== 'object') {
    throw new InvalidOptionError(`cacheMetrics: ${name} must be an object or false.`);
  }
  return value;
}

function intervalMs(interval: unknown): number {
  try {
    return toMilliseconds(interval, 'log.interval');
  } catch (error) {
    throw new InvalidOptionError(
      `cacheMetrics: log.interval must be a positive duration like '60s', got ${JSON.stringify(interval)}.`,
      { cause: error },
    );
  }
}

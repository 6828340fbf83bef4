import { CacheError } from '@cachekit/core';

/**
 * The cachekit metrics of this `prefix` are already in the prom-client registry: another
 * `cacheMetrics()` registered them and was not closed, or the names clash with other metrics.
 */
export class MetricsAlreadyRegisteredError extends CacheError {
  static readonly code = 'E_METRICS_ALREADY_REGISTERED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(MetricsAlreadyRegisteredError.code, message, options);
  }
}

/** An exporter was asked for but its optional peer package (`prom-client`) is not installed. */
export class MetricsPeerMissingError extends CacheError {
  static readonly code = 'E_METRICS_PEER_MISSING';
  constructor(message: string, options?: { cause?: unknown }) {
    super(MetricsPeerMissingError.code, message, options);
  }
}

import type { LoadOutcome, OperationName } from './series.js';

export type { OperationName } from './series.js';

/**
 * What an exporter that records histograms itself (OpenTelemetry) receives per event. Durations
 * in seconds. (Prometheus needs none: its histograms are bucket arrays the recorder fills.)
 */
export interface Observer {
  operation(namespace: string, operation: OperationName, seconds: number): void;
  load(namespace: string, outcome: LoadOutcome, seconds: number): void;
  busLag(seconds: number): void;
}

/** Reports an observer that threw (it is isolated: the cache and the other exporters go on). */
export function exportFailed(error: unknown): void {
  process.emitWarning(
    `cachekit metrics: an exporter failed to record: ${error instanceof Error ? error.message : String(error)}`,
    { code: 'CACHEKIT_METRICS_EXPORT_ERROR' },
  );
}

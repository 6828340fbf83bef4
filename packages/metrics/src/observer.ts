import type { LoadOutcome } from './series.js';

/** Store operations timed in the `operation_duration_seconds` histogram. */
export type OperationName = 'read' | 'set' | 'delete' | 'invalidate';

/**
 * What exporters with histograms receive per event (these events cost a store round trip or a
 * loader run, so one histogram observation each is cheap in comparison). Durations in seconds.
 */
export interface Observer {
  operation(namespace: string, operation: OperationName, seconds: number): void;
  load(namespace: string, outcome: LoadOutcome, seconds: number): void;
  busLag(seconds: number): void;
}

/** Calls `call` on every observer; one that throws is isolated and reported as a warning. */
export function notify(observers: readonly Observer[], call: (observer: Observer) => void): void {
  for (const observer of observers) {
    try {
      call(observer);
    } catch (error) {
      process.emitWarning(
        `cachekit metrics: an exporter failed to record: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'CACHEKIT_METRICS_EXPORT_ERROR' },
      );
    }
  }
}

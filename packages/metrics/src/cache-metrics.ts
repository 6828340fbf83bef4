import { type Cache, InvalidOptionError } from '@cachekit/core';
import { BusWatch } from './bus-watch.js';
import type { ExportSource } from './export-source.js';
import { startLogLine } from './log-line.js';
import type { Observer } from './observer.js';
import { exportOpenTelemetry } from './open-telemetry.js';
import { type CacheMetricsOptions, resolveMetricsOptions } from './options.js';
import { loadPromClient } from './peer.js';
import { exportPrometheus } from './prometheus.js';
import { Recorder } from './recorder.js';
import { KeyGroups } from './series.js';
import { type MetricsSnapshot, takeSnapshot } from './snapshot.js';

/** What {@link cacheMetrics} returns. */
export interface CacheMetrics {
  /** A plain-JSON snapshot of everything counted since metrics started. */
  stats(): MetricsSnapshot;
  /**
   * Unsubscribes from the cache and the bus, stops the log timer, removes the metrics it registered
   * from the prom-client registry and stops the OpenTelemetry callbacks. Idempotent.
   */
  close(): void;
}

/**
 * Counts a cache's hits, misses, stale serves, sets, errors, invalidations and loads per namespace
 * from its events, and exports them to Prometheus, OpenTelemetry, a periodic log line and
 * `stats()`. L1 hits are counted by the cache itself and read when collected, so they cost nothing.
 *
 * ```ts
 * const metrics = cacheMetrics(cache, { prometheus: { registry }, bus });
 * app.get('/metrics', async () => registry.metrics());
 * ```
 */
export function cacheMetrics(cache: Cache, options: CacheMetricsOptions = {}): CacheMetrics {
  if (
    typeof (cache as Partial<Cache> | null)?.on !== 'function' ||
    typeof (cache as Partial<Cache>).l1HitCounts !== 'function' ||
    typeof (cache as Partial<Cache>).circuitState !== 'function'
  ) {
    throw new InvalidOptionError(
      'cacheMetrics(cache): pass a cache made by createCache() from @cachekit/core.',
    );
  }
  const resolved = resolveMetricsOptions(options);
  const observers: Observer[] = [];
  const groups =
    resolved.keyGroup === undefined
      ? undefined
      : new KeyGroups(resolved.keyGroup, resolved.maxGroups);
  // Prometheus histograms are bucket arrays the recorder fills; OpenTelemetry records its own.
  const buckets = resolved.prometheus !== undefined;
  const recorder = new Recorder(cache, groups, observers, buckets);
  const bus =
    resolved.bus === undefined ? undefined : new BusWatch(resolved.bus, observers, buckets);
  const source: ExportSource = { recorder, bus, withGroups: groups !== undefined };
  const closers: Array<() => void> = [];
  const closeAll = (): void => {
    for (const close of closers.splice(0).reverse()) close();
  };
  try {
    if (resolved.prometheus !== undefined) {
      const prom = loadPromClient();
      const registry = resolved.prometheus.registry ?? prom.register;
      closers.push(exportPrometheus(prom, registry, resolved.prometheus.prefix, source).close);
    }
    if (resolved.meter !== undefined) {
      const exported = exportOpenTelemetry(resolved.meter, source);
      observers.push(exported.observer);
      closers.push(exported.close);
    }
  } catch (error) {
    closeAll();
    throw error;
  }
  const startedAt = Date.now();
  const stats = (): MetricsSnapshot => {
    recorder.refreshL1();
    return takeSnapshot(recorder, bus, startedAt, groups !== undefined);
  };
  closers.push(recorder.listen());
  if (bus !== undefined) closers.push(bus.listen());
  if (resolved.log !== undefined) {
    closers.push(startLogLine(resolved.log.logger, resolved.log.interval, stats));
  }
  return { stats, close: closeAll };
}

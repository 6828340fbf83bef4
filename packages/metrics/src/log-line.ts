import type { MetricsSnapshot } from './snapshot.js';

/** A pino-compatible logger: only `info(object, message)` is used. */
export interface MetricsLogger {
  info(obj: object, msg: string): void;
}

/** The message of every periodic log line. */
export const LOG_MESSAGE = 'cachekit metrics';

/** The object of one log line: totals, hit ratio per namespace, bus and circuit, since metrics started. */
export function logObject(snapshot: MetricsSnapshot): object {
  const t = snapshot.totals;
  const namespaces: Record<string, object> = {};
  for (const [name, stats] of Object.entries(snapshot.namespaces)) {
    namespaces[name] = {
      hits: stats.hits,
      misses: stats.misses,
      hitRatio: stats.hitRatio,
      errors: stats.errors,
    };
  }
  const bus = snapshot.bus;
  return {
    cachekit: {
      uptimeMs: snapshot.uptime,
      hits: t.hits,
      l1Hits: t.l1Hits,
      l2Hits: t.l2Hits,
      misses: t.misses,
      hitRatio: t.hitRatio,
      stale: t.stale,
      coalesced: t.coalesced,
      sets: t.sets,
      errors: t.errors,
      errorsByCode: t.errorsByCode,
      invalidations: t.invalidations,
      loads: t.loads,
      readP50Ms: t.latency.p50,
      readP99Ms: t.latency.p99,
      loadP99Ms: t.loadLatency.p99,
      circuit: snapshot.circuit.state,
      namespaces,
      ...(bus === null
        ? {}
        : {
            bus: {
              messages: bus.messages,
              lagP99Ms: bus.lag.p99,
              gaps: bus.gaps,
              reconnects: bus.reconnects,
              malformed: bus.malformed,
            },
          }),
    },
  };
}

/** Logs `take()` every `interval` ms through `logger.info`; the timer never keeps the process alive. */
export function startLogLine(
  logger: MetricsLogger,
  interval: number,
  take: () => MetricsSnapshot,
): () => void {
  const timer = setInterval(() => {
    try {
      logger.info(logObject(take()), LOG_MESSAGE);
    } catch (error) {
      process.emitWarning(
        `cachekit metrics: the periodic log line failed: ${error instanceof Error ? error.message : String(error)}`,
        { code: 'CACHEKIT_METRICS_LOG_ERROR' },
      );
    }
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
}

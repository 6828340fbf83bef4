import { BucketHistogram } from './bucket-histogram.js';
import { BUS_LAG_BUCKETS } from './buckets.js';
import { LogHistogram } from './log-histogram.js';
import { exportFailed, type Observer } from './observer.js';

/** What the metrics read from a `@cachekit/pubsub` bus `message` event. */
export interface BusMessageLike {
  /** Milliseconds from publication to receipt. */
  readonly lag: number;
}

/** Counters of `bus.stats()` the metrics report (cumulative since the bus was created). */
export interface BusStatsLike {
  readonly published: number;
  readonly received: number;
  readonly malformed: number;
  readonly gaps: number;
  readonly reconnects: number;
  readonly dropped: number;
  readonly handlerErrors: number;
}

/** A `@cachekit/pubsub` `Bus`, typed by the two methods the metrics use. */
export interface MetricsBus {
  on(type: 'message', listener: (event: BusMessageLike) => void): () => void;
  stats(): BusStatsLike;
}

/** The counters of {@link BusStatsLike} as counted since metrics started. */
export type BusCounters = Omit<BusStatsLike, 'received'>;

/**
 * Counts the bus's messages and their lag; reads the rest from `bus.stats()`, minus what it held
 * when metrics started, so that every bus figure counts from the same moment.
 */
export class BusWatch {
  readonly bus: MetricsBus;
  /** Valid messages received since metrics started (once per subscription they reached). */
  messages = 0;
  /** Lag of those messages, ms (negative lags, from clock skew, count as 0). */
  readonly lag: LogHistogram = new LogHistogram();
  /** The same lags in seconds, in Prometheus buckets (with the Prometheus exporter). */
  readonly lagBuckets: BucketHistogram | undefined;
  readonly #observers: readonly Observer[];
  readonly #baseline: BusStatsLike;

  constructor(bus: MetricsBus, observers: readonly Observer[], buckets: boolean) {
    this.bus = bus;
    this.#observers = observers;
    this.lagBuckets = buckets ? new BucketHistogram(BUS_LAG_BUCKETS) : undefined;
    this.#baseline = { ...bus.stats() };
  }

  /** `bus.stats()` counters since metrics started. */
  counters(): BusCounters {
    const now = this.bus.stats();
    const base = this.#baseline;
    return {
      published: now.published - base.published,
      malformed: now.malformed - base.malformed,
      gaps: now.gaps - base.gaps,
      reconnects: now.reconnects - base.reconnects,
      dropped: now.dropped - base.dropped,
      handlerErrors: now.handlerErrors - base.handlerErrors,
    };
  }

  listen(): () => void {
    return this.bus.on('message', (event) => {
      this.messages++;
      const ms = Math.max(0, event.lag);
      this.lag.observe(ms);
      const seconds = ms / 1000;
      this.lagBuckets?.observe(seconds);
      for (const observer of this.#observers) {
        try {
          observer.busLag(seconds);
        } catch (error) {
          exportFailed(error);
        }
      }
    });
  }
}

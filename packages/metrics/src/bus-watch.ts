import { LogHistogram } from './log-histogram.js';
import { notify, type Observer } from './observer.js';

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

/** Counts the bus's messages and their lag; reads the rest from `bus.stats()`. */
export class BusWatch {
  readonly bus: MetricsBus;
  /** Valid messages received since metrics started (once per subscription they reached). */
  messages = 0;
  /** Lag of those messages, ms (negative lags, from clock skew, count as 0). */
  readonly lag: LogHistogram = new LogHistogram();
  readonly #observers: readonly Observer[];

  constructor(bus: MetricsBus, observers: readonly Observer[]) {
    this.bus = bus;
    this.#observers = observers;
  }

  listen(): () => void {
    return this.bus.on('message', (event) => {
      this.messages++;
      const ms = Math.max(0, event.lag);
      this.lag.observe(ms);
      if (this.#observers.length > 0) notify(this.#observers, (o) => o.busLag(ms / 1000));
    });
  }
}

import type { TargetKind } from './registry.js';

/** Counters behind `bus.stats()`. */
export interface Counters {
  /** Messages this bus published. */
  published: number;
  /** Messages received for a live subscription (once per subscription they reached). */
  received: number;
  /** Deliveries to handlers and streams. */
  delivered: number;
  /** Messages dropped as malformed (envelope, or a payload refused by `cacheSync`). */
  malformed: number;
  /** Handlers (or `onDrop` callbacks) that threw or rejected. */
  handlerErrors: number;
  /** Gap signals raised by the bus: reconnects and sequence skips (not stream overflows). */
  gaps: number;
  /** Reconnects the transport signalled. */
  reconnects: number;
  /** Messages dropped by stream buffers. */
  dropped: number;
}

export function newCounters(): Counters {
  return {
    published: 0,
    received: 0,
    delivered: 0,
    malformed: 0,
    handlerErrors: 0,
    gaps: 0,
    reconnects: 0,
    dropped: 0,
  };
}

/** A handler registration; `unsubscribe()` removes it (the last one releases the channel). */
export interface Subscription {
  readonly kind: TargetKind;
  /** The channel or pattern. */
  readonly name: string;
  /** Idempotent; never rejects (a transport failure is reported as an `error` event). */
  unsubscribe(): Promise<void>;
}

/** What `bus.stats()` returns: counters since creation and current registry sizes. */
export interface BusStats extends Readonly<Counters> {
  /** Exact channels in the registry (subscribed, or being subscribed/released). */
  readonly channels: number;
  /** Patterns in the registry. */
  readonly patterns: number;
  /** Handlers and streams registered, all channels together. */
  readonly listeners: number;
  /** Streams not yet closed. */
  readonly streams: number;
  /** Listeners added with `on()` / `onGap()`. */
  readonly eventListeners: number;
}

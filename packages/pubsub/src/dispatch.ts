import type { TransportHandlers } from '@cachekit/core';
import type { BusEvents } from './bus-events.js';
import type { Counters } from './bus-types.js';
import { decodeEnvelope } from './envelope.js';
import type { Gap, Message } from './messages.js';
import type { Entry, Registry } from './registry.js';

/** How much of a malformed message an event carries. */
const RAW_PREVIEW = 256;

/**
 * Routes what the transport delivers: decodes the envelope once per subscription it reached,
 * drops and reports malformed ones, raises gaps, then hands the message to every listener.
 */
export class Dispatcher {
  readonly #registry: Registry;
  readonly #events: BusEvents;
  readonly #counters: Counters;
  readonly #now: () => number;

  /** `now`: the clock message lag is measured with (ms since the epoch). */
  constructor(
    registry: Registry,
    events: BusEvents,
    counters: Counters,
    now: () => number = Date.now,
  ) {
    this.#registry = registry;
    this.#events = events;
    this.#counters = counters;
    this.#now = now;
  }

  /** What the transport calls; nothing is dispatched once `live()` is false (bus disposed). */
  handlers(live: () => boolean, error: (error: Error) => void): TransportHandlers {
    return {
      message: (channel, message, pattern) => {
        if (live()) this.message(channel, message, pattern);
      },
      reconnect: () => {
        if (live()) this.reconnect();
      },
      error,
    };
  }

  message(channel: string, raw: string, pattern: string | undefined): void {
    const entry =
      pattern === undefined
        ? this.#registry.lookup('channel', channel)
        : this.#registry.lookup('pattern', pattern);
    // Late deliveries for a released subscription are not ours any more.
    if (entry === undefined || entry.listeners.size === 0) return;
    this.#counters.received++;
    const decoded = typeof raw === 'string' ? decodeEnvelope(raw) : notAString;
    if (!decoded.ok) {
      this.malformed(channel, pattern, decoded.reason, raw);
      return;
    }
    const { type, data, ts, source, seq } = decoded.envelope;
    if (this.#events.has('message')) {
      this.#events.emit('message', { channel, type, source, lag: this.#now() - ts });
    }
    const missed = entry.sequences.check(source, channel, seq);
    if (missed > 0) {
      this.#gap(
        { kind: 'gap', reason: 'sequence', channel, subscription: entry.name, source, missed },
        [entry],
      );
    }
    const message: Message = { kind: 'message', channel, pattern, type, data, ts, source, seq };
    for (const listener of entry.listeners) {
      this.#counters.delivered++;
      listener.message(message);
    }
  }

  /** The transport's subscriber connection came back: every subscription may have missed messages. */
  reconnect(): void {
    this.#counters.reconnects++;
    const entries = [...this.#registry.entries()];
    for (const entry of entries) entry.sequences.clear();
    this.#gap(
      {
        kind: 'gap',
        reason: 'reconnect',
        channel: undefined,
        subscription: undefined,
        source: undefined,
        missed: undefined,
      },
      entries,
    );
  }

  malformed(channel: string, pattern: string | undefined, reason: string, raw: unknown): void {
    this.#counters.malformed++;
    const text = typeof raw === 'string' ? raw : String(raw);
    this.#events.emit('malformed', { channel, pattern, reason, raw: text.slice(0, RAW_PREVIEW) });
  }

  #gap(gap: Gap, entries: readonly Entry[]): void {
    this.#counters.gaps++;
    this.#events.emit('gap', gap);
    for (const entry of entries) for (const listener of entry.listeners) listener.gap(gap);
  }
}

const notAString = { ok: false, reason: 'not a string' } as const;

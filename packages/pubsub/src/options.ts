import { randomUUID } from 'node:crypto';
import { InvalidOptionError, type Transport } from '@cachekit/core';
import type { OverflowPolicy } from './stream.js';

/** Options of {@link createBus}. */
export interface BusOptions {
  /** Carries the messages: `memoryTransport()`, or a Redis transport from a driver package. Required. */
  transport: Transport;
  /** Instance id stamped as `source` on every envelope; default: a random UUID. Must be unique per bus. */
  source?: string;
  /** Default bound of a stream's buffer, in messages; default 1,024. */
  maxBuffer?: number;
  /** Default overflow policy of streams; default `'drop-oldest'`. */
  overflow?: OverflowPolicy;
  /**
   * Most sequence counters kept: channels this bus publishes on, and (publisher, channel) pairs each
   * subscription tracks for gap detection; the least recently used are forgotten. Default 10,000.
   */
  maxSequences?: number;
  /** Clock stamped as `ts`, in ms since the epoch; default `Date.now`. */
  now?: () => number;
}

export interface ResolvedBusOptions {
  readonly transport: Transport;
  readonly source: string;
  readonly maxBuffer: number;
  readonly overflow: OverflowPolicy;
  readonly maxSequences: number;
  readonly now: () => number;
}

const TRANSPORT_METHODS = [
  'connect',
  'publish',
  'subscribe',
  'unsubscribe',
  'psubscribe',
  'punsubscribe',
  'close',
] as const;

/** Validates and fills in bus options. */
export function resolveBusOptions(options: BusOptions): ResolvedBusOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('createBus() needs options: { transport }.');
  }
  const { transport } = options;
  if (
    typeof transport !== 'object' ||
    transport === null ||
    TRANSPORT_METHODS.some((method) => typeof transport[method] !== 'function')
  ) {
    throw new InvalidOptionError(
      'Invalid transport: pass memoryTransport() or a transport from @cachekit/ioredis / @cachekit/node-redis.',
    );
  }
  const source = options.source ?? randomUUID();
  if (typeof source !== 'string' || source.length === 0 || source.length > 128) {
    throw new InvalidOptionError(
      `Invalid source ${JSON.stringify(source)}: use a non-empty string of at most 128 characters.`,
    );
  }
  return {
    transport,
    source,
    maxBuffer: positiveInteger(options.maxBuffer, 1024, 'maxBuffer'),
    overflow: overflowPolicy(options.overflow ?? 'drop-oldest'),
    maxSequences: positiveInteger(options.maxSequences, 10_000, 'maxSequences'),
    now: options.now ?? Date.now,
  };
}

export function positiveInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(
      `Invalid ${name} ${String(value)}: use a positive integer (default ${fallback}).`,
    );
  }
  return value;
}

export function overflowPolicy(value: unknown): OverflowPolicy {
  if (value !== 'drop-oldest' && value !== 'drop-newest') {
    throw new InvalidOptionError(
      `Invalid overflow ${JSON.stringify(value)}: use 'drop-oldest' (default) or 'drop-newest'.`,
    );
  }
  return value;
}

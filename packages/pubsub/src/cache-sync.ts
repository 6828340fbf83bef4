import { randomUUID } from 'node:crypto';
import {
  assertEventName,
  type CacheSync,
  type InvalidationMessage,
  InvalidOptionError,
  type SyncListener,
} from '@cachekit/core';
import type { Bus } from './bus.js';
import type { Subscription } from './bus-types.js';
import { type Channel, channel } from './channels.js';
import { parseInvalidation } from './invalidation.js';
import type { Message } from './messages.js';

/** Envelope `type` of an invalidation on the sync channel. */
export const INVALIDATE = 'invalidate';

/** Options of {@link cacheSync}. */
export interface CacheSyncOptions {
  /**
   * Name shared by the processes whose caches keep each other in sync: invalidations travel on
   * `cachekit:sync:<namespace>` (escaped like a key id). Default `'default'`.
   */
  namespace?: string;
  /** The invalidation channel itself, instead of the one derived from `namespace`. */
  channel?: string;
}

/** The channel carrying invalidations for `namespace`: `cachekit:sync:<namespace>`. */
export function syncChannel(namespace: string): Channel<InvalidationMessage> {
  return channel<InvalidationMessage>('cachekit', 'sync', namespace);
}

/** The channel of a domain event: `events:<name>` (`events:miner.config.updated`). */
export function eventChannel<T = unknown>(name: string): Channel<T> {
  assertEventName(name);
  return channel<T>('events', name);
}

/**
 * Publishes a domain event to every process: a `name` message on `events:<name>` carrying
 * `payload`. Caches synced with {@link cacheSync} in *other* processes apply it (entries declared
 * with `invalidateOn: [name]`); the publishing process applies it itself.
 */
export function publishEvent(bus: Bus, name: string, payload?: unknown): Promise<void> {
  return bus.publish(eventChannel(name), name, payload);
}

/**
 * Core's `CacheSync` over a bus: invalidations as `invalidate` messages on one channel (tagged with
 * this cacheSync's `instanceId`, so that only its own are ignored), domain events on
 * `events:<name>` (those this bus published are ignored); gaps (reconnect, a sequence skip on one of these channels) reach `listener.gap()`.
 * An invalidation whose data is not a valid `InvalidationMessage` is counted and reported as
 * `malformed`, and signalled as a gap, since something was invalidated that cannot be known.
 */
export function cacheSync(bus: Bus, options: CacheSyncOptions = {}): CacheSync {
  const sync: Channel<InvalidationMessage> =
    options.channel === undefined ? syncChannel(options.namespace ?? 'default') : options.channel;
  if (typeof sync !== 'string' || sync.length === 0) {
    throw new InvalidOptionError(
      `Invalid sync channel ${JSON.stringify(sync)}: use a non-empty string.`,
    );
  }
  // One id per cacheSync, not per bus: two caches sharing a bus in one process still hear each other.
  const instanceId = `${bus.source}:${randomUUID()}`;

  return {
    instanceId,
    async publish(message: InvalidationMessage): Promise<void> {
      const parsed = parseInvalidation(message);
      if (!parsed.ok) throw new InvalidOptionError(`Cannot publish: ${parsed.reason}.`);
      const tagged = { ...parsed.message, origin: instanceId } as InvalidationMessage;
      await bus.publish(sync, INVALIDATE, tagged);
    },

    async listen(listener: SyncListener, events: readonly string[]): Promise<() => Promise<void>> {
      const names = [...new Set(events)];
      for (const name of names) assertEventName(name);
      const onInvalidation = (message: Message<unknown>): void => {
        if (message.type !== INVALIDATE) return;
        let data = message.data;
        if (data !== null && typeof data === 'object' && !Array.isArray(data) && 'origin' in data) {
          const { origin, ...rest } = data as { origin?: unknown };
          if (origin === instanceId) return;
          data = rest;
        }
        const parsed = parseInvalidation(data);
        if (parsed.ok) {
          listener.invalidate(parsed.message);
          return;
        }
        bus.reportMalformed(message.channel, parsed.reason, JSON.stringify(message.data));
        listener.gap();
      };
      const onEvent =
        (name: string) =>
        (message: Message<unknown>): void => {
          if (message.source !== bus.source && message.type === name) {
            listener.event(name, message.data);
          }
        };
      const subscriptions = new Set<string>([sync, ...names.map((name) => eventChannel(name))]);
      const stopGaps = bus.onGap((gap) => {
        if (gap.source === bus.source) return;
        if (gap.subscription === undefined || subscriptions.has(gap.subscription)) listener.gap();
      });
      const pending = [
        bus.subscribe(sync, onInvalidation),
        ...names.map((name) => bus.subscribe(eventChannel(name), onEvent(name))),
      ];
      const settled = await Promise.allSettled(pending);
      const active = settled.flatMap((result) =>
        result.status === 'fulfilled' ? [result.value] : [],
      );
      const stop = once(async () => {
        stopGaps();
        await Promise.all(active.map((subscription: Subscription) => subscription.unsubscribe()));
      });
      const failed = settled.find((result) => result.status === 'rejected');
      if (failed !== undefined) {
        await stop();
        throw failed.reason;
      }
      return stop;
    },
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}

import type { CacheContext } from './context.js';
import type { CacheError } from './errors.js';
import type { CacheSync, InvalidationMessage, SyncListener } from './sync.js';

/**
 * Connects a cache to its `CacheSync`: other processes' invalidations drop local copies, a gap
 * flushes L1, and domain events named by EVENT_DRIVEN policies are applied in this process.
 */
export class SyncLink {
  readonly #ctx: CacheContext;
  readonly #sync: CacheSync;
  readonly #onEvent: (name: string, payload: unknown) => Promise<void>;
  readonly #watched = new Set<string>();
  readonly #listening: Array<Promise<(() => Promise<void>) | undefined>> = [];

  constructor(
    ctx: CacheContext,
    sync: CacheSync,
    onEvent: (name: string, payload: unknown) => Promise<void>,
  ) {
    this.#ctx = ctx;
    this.#sync = sync;
    this.#onEvent = onEvent;
    this.#listen([]);
  }

  /** Also applies these domain events (names not watched yet). */
  watch(names: readonly string[]): void {
    const fresh = names.filter((name) => !this.#watched.has(name));
    if (fresh.length === 0) return;
    for (const name of fresh) this.#watched.add(name);
    this.#listen(fresh);
  }

  /** Resolves once every subscription is established. */
  async ready(): Promise<void> {
    await Promise.all(this.#listening);
  }

  async stop(): Promise<void> {
    const stops = await Promise.all(this.#listening);
    await Promise.all(stops.map((stop) => stop?.().catch(() => undefined)));
  }

  /** The first listen carries invalidations and gaps; later ones (from `watch`) only events. */
  #listen(events: readonly string[]): void {
    const ctx = this.#ctx;
    const primary = this.#listening.length === 0;
    const listener: SyncListener = {
      invalidate: (message) => {
        if (!primary) return;
        ctx.invalidateLocally(message);
        this.#emit(message);
      },
      gap: () => {
        // Every subscription hears a reconnect; a gap on an event channel may hide a lost event.
        ctx.invalidateLocally({ flush: true });
        this.#emit({ flush: true });
      },
      event: (name, payload) => {
        if (!this.#watched.has(name) || ctx.closed) return;
        this.#onEvent(name, payload).catch((error: unknown) => this.#report(error));
      },
    };
    const listening = this.#sync.listen(listener, events).then(
      (stop) => {
        // Copies kept before the subscription existed may have missed an invalidation.
        if (primary) ctx.invalidateLocally({ flush: true });
        return stop;
      },
      (error: unknown) => {
        this.#report(error);
        return undefined;
      },
    );
    this.#listening.push(listening);
  }

  #emit(message: InvalidationMessage): void {
    const events = this.#ctx.events;
    if (!events.has('invalidate')) return;
    events.emit({
      type: 'invalidate',
      remote: true,
      tags: message.tags ?? [],
      namespace: this.#ctx.options.namespace,
      duration: 0,
      ...(message.keys === undefined ? {} : { keys: message.keys }),
      ...(message.patterns === undefined ? {} : { patterns: message.patterns }),
      ...(message.flush === true ? { flush: true } : {}),
    });
  }

  #report(error: unknown): void {
    this.#ctx.report('sync', error as CacheError, this.#ctx.options.namespace);
  }
}

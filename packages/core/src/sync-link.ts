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
  readonly #eventTagKey: (name: string) => string;
  readonly #watched = new Set<string>();
  /** The first attempt of every subscription (what `ready()` waits for). */
  readonly #firstAttempts: Array<Promise<void>> = [];
  readonly #stops: Array<() => Promise<void>> = [];
  readonly #retries = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(
    ctx: CacheContext,
    sync: CacheSync,
    onEvent: (name: string, payload: unknown) => Promise<void>,
    eventTagKey: (name: string) => string,
  ) {
    this.#ctx = ctx;
    this.#sync = sync;
    this.#onEvent = onEvent;
    this.#eventTagKey = eventTagKey;
    // Until this process hears invalidations, L1 keeps nothing: a copy could miss one silently.
    if (ctx.l1 !== undefined) ctx.l1.paused = true;
    this.#listen([], true);
  }

  /** Also applies these domain events (names not watched yet). */
  watch(names: readonly string[]): void {
    const fresh = names.filter((name) => !this.#watched.has(name));
    if (fresh.length === 0) return;
    for (const name of fresh) this.#watched.add(name);
    this.#listen(fresh, false);
  }

  /** Resolves once every subscription has been tried once (failures are retried in the background). */
  async ready(): Promise<void> {
    await Promise.all(this.#firstAttempts);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#retries) clearTimeout(timer);
    this.#retries.clear();
    await Promise.all(this.#firstAttempts);
    await Promise.all(this.#stops.map((stop) => stop().catch(() => undefined)));
  }

  /**
   * Subscribes, retrying with backoff (1 s doubling to 30 s) until it succeeds. The primary
   * subscription carries invalidations and gaps; later ones (from `watch`) only events. When the
   * primary one comes up, L1 and running loads are flushed: they may have missed an invalidation.
   * When an event subscription comes up, only L1 copies tagged with its events are dropped (and
   * loads of them kept out of L1): their store writes are guarded by the tag generations that the
   * event's handlers bump, so a load started on first use of the policy is still stored.
   */
  #listen(events: readonly string[], primary: boolean): void {
    const ctx = this.#ctx;
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
    let delay = 1000;
    const attempt = (): Promise<void> =>
      this.#sync.listen(listener, events).then(
        (stop) => {
          if (this.#stopped) {
            stop().catch(() => undefined);
            return;
          }
          this.#stops.push(stop);
          if (primary) {
            ctx.invalidateLocally({ flush: true });
            if (ctx.l1 !== undefined) ctx.l1.paused = false;
          } else {
            ctx.l1?.invalidateTags(events.map(this.#eventTagKey));
          }
        },
        (error: unknown) => {
          this.#report(error);
          if (this.#stopped) return;
          const timer = setTimeout(() => {
            this.#retries.delete(timer);
            void attempt();
          }, delay);
          timer.unref?.();
          this.#retries.add(timer);
          delay = Math.min(delay * 2, 30_000);
        },
      );
    this.#firstAttempts.push(attempt());
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

/** A load in progress for one key in this process. */
export interface Flight {
  /** Tag generation keys the load's value will carry. */
  readonly tagKeys: readonly string[];
  /** Set when the key or one of its tags is invalidated while loading: the result must not be stored. */
  invalidated: boolean;
  /**
   * How the flight served the caller that started it, set by its work: `'hit'` (the store had a
   * fresh value), `'miss'` (it loaded, whatever came of the load), `'stale'` (it served an
   * expired value). Callers that joined it are reported the same way. Unset if the read threw.
   */
  served: 'hit' | 'miss' | 'stale' | undefined;
}

/** Told about a caller that joined `flight` (for `key`), whose result is `promise`. */
export type JoinListener = (key: string, flight: Flight, promise: Promise<unknown>) => void;

/**
 * Per-process single-flight: one promise per key, removed in `finally`. Invalidations mark the
 * flights they hit (so their results are not written) and detach them (so later callers start a
 * fresh load instead of joining one that began before the invalidation).
 */
export class Flights {
  readonly #running = new Map<string, { flight: Flight; promise: Promise<unknown> }>();
  /**
   * Refreshes still running after their callers were served a stale value (soft timeout): a
   * caller that finds the same stale value joins the refresh instead of starting another.
   */
  readonly refreshing: Map<string, Promise<unknown>> = new Map();

  get size(): number {
    return this.#running.size;
  }

  /**
   * The running flight's promise for `key`, or `work`'s, started now. `joined`, when given, is
   * told about a caller that joins a running flight.
   */
  run<T>(
    key: string,
    tagKeys: readonly string[],
    work: (flight: Flight) => Promise<T>,
    joined?: JoinListener,
  ): Promise<T> {
    const current = this.#running.get(key);
    if (current !== undefined) {
      joined?.(key, current.flight, current.promise);
      return current.promise as Promise<T>;
    }
    const flight: Flight = { tagKeys, invalidated: false, served: undefined };
    const remove = (): void => {
      if (this.#running.get(key)?.flight === flight) this.#running.delete(key);
    };
    const promise = work(flight);
    promise.then(remove, remove);
    this.#running.set(key, { flight, promise });
    return promise;
  }

  invalidateKey(key: string): void {
    const current = this.#running.get(key);
    if (current === undefined) return;
    current.flight.invalidated = true;
    this.#running.delete(key);
  }

  invalidateTags(tagKeys: ReadonlySet<string>): void {
    for (const [key, { flight }] of this.#running) {
      if (flight.tagKeys.some((tag) => tagKeys.has(tag))) {
        flight.invalidated = true;
        this.#running.delete(key);
      }
    }
  }

  invalidateMatching(test: (key: string) => boolean): void {
    for (const [key, { flight }] of this.#running) {
      if (test(key)) {
        flight.invalidated = true;
        this.#running.delete(key);
      }
    }
  }
}

/**
 * The seam between a cache and the bus that keeps in-process (L1) copies in sync across
 * processes. `@cachekit/pubsub` implements it over a Transport; core only depends on this shape.
 */

/** What another process changed in the shared store: drop local copies of these. */
export interface InvalidationMessage {
  /** Full store keys deleted or overwritten. */
  readonly keys?: readonly string[];
  /** Tag generation keys bumped. */
  readonly tags?: readonly string[];
  /** Store glob patterns deleted. */
  readonly patterns?: readonly string[];
  /** Drop every local copy (e.g. after a version change). */
  readonly flush?: boolean;
}

/** Receives what other processes sent. */
export interface SyncListener {
  /** Another process invalidated these. */
  invalidate(message: InvalidationMessage): void;
  /**
   * Messages may have been missed (reconnect, or a sequence gap): drop or re-validate every
   * local copy, since one of them may be stale.
   */
  gap(): void;
  /**
   * A named domain event (`'miner.config.updated'`) was published by another process. The
   * publishing process applies it itself (`cache.handleEvent(name, payload)`).
   */
  event(name: string, payload: unknown): void;
}

export interface CacheSync {
  /** Unique id of this process's endpoint; messages it sent are not delivered back to it. */
  readonly instanceId: string;
  /** Sends an invalidation to every other process. Resolves once it is published. */
  publish(message: InvalidationMessage): Promise<void>;
  /** Starts delivering to `listener`, including the domain events named in `events`. Resolves to a stop function. */
  listen(listener: SyncListener, events: readonly string[]): Promise<() => Promise<void>>;
}

/** One local session as the subscription table sees it. */
export interface Subscriber {
  /** Sends `notifications/resources/updated` for `uri` (as the session subscribed it). */
  sendUpdated(uri: string): Promise<void>;
}

/**
 * Which local session subscribed to which canonical URI, and with which spelling of it (the
 * notification carries the URI the client subscribed with, so the client can match it).
 */
export class Subscriptions {
  readonly #byUri = new Map<string, Map<Subscriber, string>>();
  readonly #bySession = new Map<Subscriber, Set<string>>();

  /** Adds a subscription; false when `session` already has `max` other URIs. Idempotent. */
  add(session: Subscriber, canonical: string, asGiven: string, max: number): boolean {
    let uris = this.#bySession.get(session);
    if (uris?.has(canonical) !== true && (uris?.size ?? 0) >= max) return false;
    if (uris === undefined) {
      uris = new Set();
      this.#bySession.set(session, uris);
    }
    uris.add(canonical);
    let sessions = this.#byUri.get(canonical);
    if (sessions === undefined) {
      sessions = new Map();
      this.#byUri.set(canonical, sessions);
    }
    sessions.set(session, asGiven);
    return true;
  }

  /** Removes one subscription (no-op when absent). */
  remove(session: Subscriber, canonical: string): void {
    const uris = this.#bySession.get(session);
    if (uris === undefined || !uris.delete(canonical)) return;
    if (uris.size === 0) this.#bySession.delete(session);
    const sessions = this.#byUri.get(canonical);
    sessions?.delete(session);
    if (sessions?.size === 0) this.#byUri.delete(canonical);
  }

  /** Removes every subscription of `session`. */
  removeSession(session: Subscriber): void {
    for (const canonical of [...(this.#bySession.get(session) ?? [])]) {
      this.remove(session, canonical);
    }
  }

  /** The sessions subscribed to `canonical`, each with the URI as it subscribed. */
  subscribers(canonical: string): ReadonlyMap<Subscriber, string> | undefined {
    return this.#byUri.get(canonical);
  }

  /** Every (session, URI as given) pair. */
  *entries(): IterableIterator<[Subscriber, string]> {
    for (const sessions of this.#byUri.values()) yield* sessions;
  }

  /** URIs of `session`, canonical. */
  urisOf(session: Subscriber): ReadonlySet<string> {
    return this.#bySession.get(session) ?? new Set();
  }

  /** Distinct (session, URI) subscriptions. */
  get size(): number {
    let count = 0;
    for (const sessions of this.#byUri.values()) count += sessions.size;
    return count;
  }
}

import type { CacheError } from '@cachekit/core';
import { McpNotifyError } from './errors.js';
import type { Subscriber, Subscriptions } from './subscriptions.js';

/** A local session as the fan-out sees it. */
export interface Recipient extends Subscriber {
  /** Sends `notifications/resources/list_changed` to the session. */
  sendListChanged(): Promise<void>;
}

/** Counters of {@link FanOut}. */
export interface FanOutCounts {
  notified: number;
  notifyErrors: number;
}

/**
 * Sends notifications to this process's sessions, each send with a deadline: a transport that
 * stalls (an event store waiting on a stopped Redis) or fails is counted and reported, and never
 * holds up the caller for longer than `timeoutMs`, nor any other session.
 */
export class FanOut {
  readonly counts: FanOutCounts = { notified: 0, notifyErrors: 0 };
  readonly #subscriptions: Subscriptions;
  readonly #sessions: ReadonlySet<Recipient>;
  readonly #timeoutMs: number;
  readonly #report: (error: CacheError) => void;

  constructor(
    subscriptions: Subscriptions,
    sessions: ReadonlySet<Recipient>,
    timeoutMs: number,
    report: (error: CacheError) => void,
  ) {
    this.#subscriptions = subscriptions;
    this.#sessions = sessions;
    this.#timeoutMs = timeoutMs;
    this.#report = report;
  }

  /** `resources/updated` to every local session subscribed to one of the canonical `uris`. */
  async updated(uris: readonly string[]): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const uri of uris) {
      for (const [session, asGiven] of this.#subscriptions.subscribers(uri) ?? []) {
        sends.push(
          this.#send(() => session.sendUpdated(asGiven), `resources/updated for ${asGiven}`),
        );
      }
    }
    await Promise.all(sends);
  }

  /** `resources/updated` for every local subscription (after a bus gap). */
  async everySubscription(): Promise<void> {
    const sends = [...this.#subscriptions.entries()].map(([session, asGiven]) =>
      this.#send(() => session.sendUpdated(asGiven), `resources/updated for ${asGiven}`),
    );
    await Promise.all(sends);
  }

  /** `resources/list_changed` to every local session. */
  async listChanged(): Promise<void> {
    const sends = [...this.#sessions].map((session) =>
      this.#send(() => session.sendListChanged(), 'resources/list_changed'),
    );
    await Promise.all(sends);
  }

  /** One send with a deadline; never rejects. */
  async #send(send: () => Promise<void>, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#timeoutMs);
      timer.unref();
    });
    const sending = Promise.resolve().then(send);
    try {
      const outcome = await Promise.race([sending.then(() => 'sent' as const), late]);
      if (outcome === 'sent') {
        this.counts.notified++;
        return;
      }
      // Whatever it ends with, it was reported already.
      sending.catch(() => undefined);
      this.#failed(
        `${what} was not delivered within ${this.#timeoutMs} ms (notifyTimeout): the session's ` +
          'transport is stalled (its event store waiting on Redis?); the other sessions were not held up.',
      );
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.#failed(`Could not send ${what} to a session (${detail}).`, error);
    } finally {
      clearTimeout(timer);
    }
  }

  #failed(message: string, cause?: unknown): void {
    this.counts.notifyErrors++;
    this.#report(new McpNotifyError(message, cause === undefined ? undefined : { cause }));
  }
}

import type { Bus, Message, Subscription } from '@cachekit/pubsub';
import { MAX_URI_LENGTH } from './uri.js';

/** Message type of a resource change on the hub channel. */
export const UPDATED = 'resources.updated';
/** Message type of a resource list change on the hub channel. */
export const LIST_CHANGED = 'resources.list_changed';

/** What the link calls when other instances announce something. */
export interface BusLinkHandlers {
  /** Canonical URIs another hub announced as changed. */
  updated(uris: readonly string[]): void;
  /** Another hub announced that the resource list changed. */
  listChanged(): void;
  /** Messages may have been lost (reconnect, sequence gap on the hub channel). */
  gap(): void;
}

interface UpdatedData {
  origin: string;
  uris: string[];
}

function parseUpdated(data: unknown): UpdatedData | string {
  if (typeof data !== 'object' || data === null) return 'data is not an object';
  const { origin, uris } = data as Partial<UpdatedData>;
  if (typeof origin !== 'string') return 'origin is not a string';
  if (!Array.isArray(uris) || uris.length === 0) return 'uris is not a non-empty array';
  for (const uri of uris) {
    if (typeof uri !== 'string' || uri.length === 0 || uri.length > MAX_URI_LENGTH) {
      return 'uris holds something other than URIs';
    }
  }
  return { origin, uris };
}

/**
 * The hub's one subscription to its bus channel: announces this hub's changes, and hands other
 * hubs' announcements (its own are skipped: they were delivered locally already) to the handlers.
 */
export class BusLink {
  readonly #bus: Bus;
  readonly #channel: string;
  readonly #origin: string;
  readonly #subscribed: Promise<Subscription>;
  readonly #stopGaps: () => void;

  constructor(bus: Bus, channel: string, origin: string, handlers: BusLinkHandlers) {
    this.#bus = bus;
    this.#channel = channel;
    this.#origin = origin;
    this.#subscribed = bus.subscribe(channel, (message) => this.#receive(message, handlers));
    this.#stopGaps = bus.onGap((gap) => {
      if (gap.subscription === undefined || gap.subscription === channel) handlers.gap();
    });
  }

  /** Resolves once the subscription is established; rejects with the bus's error if it failed. */
  async ready(): Promise<void> {
    await this.#subscribed;
  }

  publishUpdated(uris: readonly string[]): Promise<void> {
    return this.#bus.publish(this.#channel, UPDATED, { origin: this.#origin, uris: [...uris] });
  }

  publishListChanged(): Promise<void> {
    return this.#bus.publish(this.#channel, LIST_CHANGED, { origin: this.#origin });
  }

  /** Releases the subscription (the bus stays open: it is the application's). */
  async close(): Promise<void> {
    this.#stopGaps();
    const subscription = await this.#subscribed.catch(() => undefined);
    await subscription?.unsubscribe();
  }

  #receive(message: Message<unknown>, handlers: BusLinkHandlers): void {
    if (message.type === UPDATED) {
      const parsed = parseUpdated(message.data);
      if (typeof parsed === 'string') {
        this.#malformed(message, parsed);
        return;
      }
      if (parsed.origin !== this.#origin) handlers.updated(parsed.uris);
      return;
    }
    if (message.type === LIST_CHANGED) {
      const origin = (message.data as { origin?: unknown } | null)?.origin;
      if (typeof origin !== 'string') {
        this.#malformed(message, 'origin is not a string');
        return;
      }
      if (origin !== this.#origin) handlers.listChanged();
      return;
    }
    this.#malformed(message, `unknown message type ${JSON.stringify(message.type)}`);
  }

  #malformed(message: Message<unknown>, reason: string): void {
    this.#bus.reportMalformed(
      message.channel,
      `@cachekit/mcp: ${reason}`,
      JSON.stringify(message.data),
    );
  }
}

/** One message as a subscriber receives it: the decoded envelope plus where it came from. */
export interface Message<T = unknown> {
  readonly kind: 'message';
  /** Channel it was published on. */
  readonly channel: string;
  /** The pattern it matched, for pattern subscriptions. */
  readonly pattern: string | undefined;
  /** Message type chosen by the publisher (`'status'`, `'invalidate'`, an event name...). */
  readonly type: string;
  /** The payload (JSON: `undefined` was published as `null`). Shared by every handler: do not mutate. */
  readonly data: T;
  /** Publisher's clock when it published, in ms since the epoch. */
  readonly ts: number;
  /** Instance id of the publishing bus. */
  readonly source: string;
  /** Sequence number of this message among those `source` published on `channel` (1, 2, 3...). */
  readonly seq: number;
}

/**
 * Why messages may have been missed:
 * - `reconnect`: the subscriber connection was lost and restored (every subscription);
 * - `sequence`: a publisher's sequence number skipped on one channel;
 * - `overflow`: a stream's bounded buffer dropped messages (that stream only).
 */
export type GapReason = 'reconnect' | 'sequence' | 'overflow';

/** Messages may have been missed: resynchronise (re-read, flush local copies). */
export interface Gap {
  readonly kind: 'gap';
  readonly reason: GapReason;
  /** The channel concerned; `undefined` when every channel is (reconnect) or several are. */
  readonly channel: string | undefined;
  /** The subscription (exact channel or pattern) that saw it; `undefined` for a reconnect. */
  readonly subscription: string | undefined;
  /** The publisher whose sequence skipped (`sequence` only). */
  readonly source: string | undefined;
  /** How many messages are known to be lost; `undefined` when unknown (reconnect). */
  readonly missed: number | undefined;
}

/** What a stream yields: messages, and gap markers where messages may have been missed. */
export type StreamItem<T = unknown> = Message<T> | Gap;

/** Receives messages of a subscription. May be async; a throw or rejection is isolated and reported. */
export type MessageHandler<T = unknown> = (message: Message<T>) => void | Promise<void>;

import type { Gap, Message, StreamItem } from './messages.js';
import type { Listener } from './registry.js';

/** What a full stream buffer gives up: the oldest buffered message, or the one arriving. */
export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/** Options of `bus.stream()`. */
export interface StreamOptions<T = unknown> {
  /** Most messages buffered while the consumer is busy; default: the bus's `maxBuffer` (1,024). */
  maxBuffer?: number;
  /** Which message a full buffer drops; default: the bus's `overflow` (`'drop-oldest'`). */
  overflow?: OverflowPolicy;
  /** Called for each dropped message with the stream's drop count so far; a throw is reported, not raised. */
  onDrop?: (message: Message<T>, dropped: number) => void;
  /** Closes the stream when aborted (a pending `next()` then resolves with `done`). */
  signal?: AbortSignal;
}

/**
 * A subscription as an async iterator. `for await (const item of stream)` yields messages and, where
 * messages may have been missed, {@link Gap} items (`item.kind === 'gap'`). Leaving the loop
 * (`break`, `return`, a throw) or calling `close()` unsubscribes and releases everything.
 */
export interface MessageStream<T = unknown> extends AsyncIterableIterator<StreamItem<T>> {
  /** Resolves once the subscription is active on the transport; rejects (and ends the stream) if it failed. */
  readonly ready: Promise<void>;
  /** Messages dropped by the bounded buffer so far. */
  readonly dropped: number;
  /** Messages waiting to be read. */
  readonly buffered: number;
  /** True once closed (by `close()`, `return()`, the abort signal or `bus.dispose()`). */
  readonly closed: boolean;
  /** Unsubscribes and ends the stream; buffered items are discarded. Idempotent, never rejects. */
  close(): Promise<void>;
}

type Waiter<T> = {
  resolve: (result: IteratorResult<StreamItem<T>, undefined>) => void;
  reject: (error: unknown) => void;
};

/** Mutable while queued, so that consecutive gaps merge into one item (the queue stays bounded). */
type QueuedGap = { -readonly [K in keyof Gap]: Gap[K] };
type Item<T> = Message<T> | QueuedGap;

/** The stream behind `bus.stream()`; `release` unsubscribes it from the registry. */
export class BusStream<T> implements MessageStream<T>, Listener {
  readonly ready: Promise<void>;
  #queue: Item<T>[] = [];
  #messages = 0;
  #waiters: Waiter<T>[] = [];
  #closed = false;
  #closing: Promise<void> | undefined;
  #failure: { error: unknown } | undefined;
  #dropped = 0;
  readonly #maxBuffer: number;
  readonly #overflow: OverflowPolicy;
  readonly #onDrop: ((message: Message<T>, dropped: number) => void) | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #release: () => Promise<void>;
  readonly #reportDrop: (error: unknown) => void;
  readonly #abort = (): void => {
    void this.close();
  };

  constructor(
    options: { maxBuffer: number; overflow: OverflowPolicy } & Pick<
      StreamOptions<T>,
      'onDrop' | 'signal'
    >,
    subscribe: (stream: BusStream<T>) => Promise<void>,
    release: () => Promise<void>,
    reportDrop: (error: unknown) => void,
  ) {
    this.#maxBuffer = options.maxBuffer;
    this.#overflow = options.overflow;
    this.#onDrop = options.onDrop;
    this.#signal = options.signal;
    this.#release = release;
    this.#reportDrop = reportDrop;
    if (this.#signal?.aborted === true) {
      this.#closed = true;
      this.ready = Promise.resolve();
      return;
    }
    this.#signal?.addEventListener('abort', this.#abort, { once: true });
    this.ready = subscribe(this);
    this.ready.catch((error: unknown) => this.#fail(error));
  }

  get dropped(): number {
    return this.#dropped;
  }

  get buffered(): number {
    return this.#messages;
  }

  get closed(): boolean {
    return this.#closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<StreamItem<T>, undefined>> {
    const item = this.#queue.shift();
    if (item !== undefined) {
      if (item.kind === 'message') this.#messages--;
      return Promise.resolve({ done: false, value: item });
    }
    if (this.#failure !== undefined) {
      const { error } = this.#failure;
      this.#failure = undefined;
      return Promise.reject(error);
    }
    if (this.#closed) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  async return(): Promise<IteratorResult<StreamItem<T>, undefined>> {
    await this.close();
    return { done: true, value: undefined };
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    this.#end();
    this.#closing = this.#release();
    return this.#closing;
  }

  /** Listener: a message for this subscription. */
  message(message: Message): void {
    if (this.#closed) return;
    const typed = message as Message<T>;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve({ done: false, value: typed });
      return;
    }
    if (this.#messages < this.#maxBuffer) {
      this.#queue.push(typed);
      this.#messages++;
      return;
    }
    if (this.#overflow === 'drop-newest') {
      this.#gapAt(this.#queue.length, overflowGap(message.channel));
      this.#drop(typed);
      return;
    }
    const oldest = this.#queue.findIndex((item) => item.kind === 'message');
    const [dropped] = this.#queue.splice(oldest, 1) as [Message<T>];
    this.#gapAt(oldest, overflowGap(dropped.channel));
    this.#queue.push(typed);
    this.#drop(dropped);
  }

  /** Listener: messages may have been missed. */
  gap(gap: Gap): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve({ done: false, value: gap });
    else this.#gapAt(this.#queue.length, { ...gap });
  }

  /** Listener: the bus was disposed (its registry already let go of this stream). */
  end(): void {
    this.#end();
    this.#closing ??= Promise.resolve();
  }

  #drop(message: Message<T>): void {
    this.#dropped++;
    if (this.#onDrop === undefined) return;
    try {
      this.#onDrop(message, this.#dropped);
    } catch (error) {
      this.#reportDrop(error);
    }
  }

  /** Inserts a gap at `index`, merged into a gap right before or at that place. */
  #gapAt(index: number, gap: QueuedGap): void {
    const neighbour = [this.#queue[index - 1], this.#queue[index]].find(
      (item): item is QueuedGap => item?.kind === 'gap',
    );
    if (neighbour === undefined) {
      this.#queue.splice(index, 0, gap);
      return;
    }
    if (neighbour.channel !== gap.channel) neighbour.channel = undefined;
    if (neighbour.subscription !== gap.subscription) neighbour.subscription = undefined;
    if (neighbour.source !== gap.source) neighbour.source = undefined;
    neighbour.missed =
      neighbour.missed === undefined || gap.missed === undefined
        ? undefined
        : neighbour.missed + gap.missed;
  }

  #fail(error: unknown): void {
    if (this.#closed) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.reject(error);
    else this.#failure = { error };
    this.#end();
    this.#closing = this.#release();
  }

  /** Ends the stream locally: no more items, pending `next()` calls resolve with `done`. */
  #end(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#signal?.removeEventListener('abort', this.#abort);
    this.#queue = [];
    this.#messages = 0;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.resolve({ done: true, value: undefined });
  }
}

function overflowGap(channel: string): QueuedGap {
  return {
    kind: 'gap',
    reason: 'overflow',
    channel,
    subscription: undefined,
    source: undefined,
    missed: 1,
  };
}

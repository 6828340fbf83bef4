import {
  type CacheError,
  ClosedError,
  InvalidOptionError,
  type Transport,
  UnsupportedError,
} from '@cachekit/core';
import {
  type BusErrorEvent,
  type BusEventListener,
  type BusEventMap,
  BusEvents,
} from './bus-events.js';
import { type BusStats, type Counters, newCounters, type Subscription } from './bus-types.js';
import { assertChannelName, type Channel, resolveTarget, type Target } from './channels.js';
import { Dispatcher } from './dispatch.js';
import { encodeEnvelope } from './envelope.js';
import { HandlerError, toTransportError } from './errors.js';
import { handlerListener } from './handler-listener.js';
import type { Gap, MessageHandler } from './messages.js';
import { type BusOptions, overflowPolicy, positiveInteger, resolveBusOptions } from './options.js';
import { Registry, type TargetKind } from './registry.js';
import { PublisherSequences } from './sequences.js';
import { BusStream, type MessageStream, type StreamOptions } from './stream.js';

/**
 * Typed publish/subscribe over one {@link Transport}: JSON envelopes with per-channel sequence
 * numbers, a per-process handler registry over one subscriber connection, streams, gap signals.
 */
export class Bus {
  /** This bus's instance id, stamped as `source` on what it publishes. */
  readonly source: string;
  readonly transport: Transport;
  readonly #options: ReturnType<typeof resolveBusOptions>;
  readonly #quotedSource: string;
  readonly #events = new BusEvents();
  readonly #counters: Counters = newCounters();
  readonly #registry: Registry;
  readonly #dispatcher: Dispatcher;
  readonly #sequences: PublisherSequences;
  readonly #streams = new Set<BusStream<unknown>>();
  #connecting: Promise<void> | undefined;
  #disposing: Promise<void> | undefined;

  constructor(options: BusOptions) {
    this.#options = resolveBusOptions(options);
    this.source = this.#options.source;
    this.transport = this.#options.transport;
    this.#quotedSource = JSON.stringify(this.source);
    this.#sequences = new PublisherSequences(this.#options.maxSequences);
    this.#registry = new Registry(this.transport, () => this.connect(), this.#options.maxSequences);
    this.#dispatcher = new Dispatcher(
      this.#registry,
      this.#events,
      this.#counters,
      this.#options.now,
    );
  }

  /**
   * Connects the transport's subscriber connection (done on the first subscription anyway).
   * If connecting fails, the next subscription (or `connect()`) tries again.
   */
  connect(): Promise<void> {
    if (this.#connecting !== undefined) return this.#connecting;
    this.#assertOpen('connect');
    const handlers = this.#dispatcher.handlers(
      () => this.#disposing === undefined,
      (error) => this.#report('transport', undefined, this.#transportError(error, 'serve')),
    );
    const connecting = Promise.resolve()
      .then(() => this.transport.connect(handlers))
      .catch((error: unknown) => {
        // Not remembered: the next subscription tries again (a transport that failed its first
        // connect has released everything it made).
        if (this.#connecting === connecting) this.#connecting = undefined;
        throw this.#transportError(error, 'connect');
      });
    this.#connecting = connecting;
    return connecting;
  }

  /**
   * Publishes `data` as a `type` message on `channel`. Data that JSON cannot encode rejects with a
   * `SerializationError` and nothing is published; a transport failure rejects with a `TransportError`
   * (subscribers then see a sequence gap on that channel, since its number was used).
   */
  async publish<T>(channel: Channel<T> | string, type: string, data: T): Promise<void> {
    this.#assertOpen('publish');
    const name = assertChannelName(channel);
    if (typeof type !== 'string' || type.length === 0) {
      throw new InvalidOptionError(
        `Invalid message type ${JSON.stringify(type)}: use a non-empty string.`,
      );
    }
    const seq = this.#sequences.peek(name);
    const text = encodeEnvelope(type, data, this.#options.now(), this.#quotedSource, seq);
    this.#sequences.commit(name, seq);
    try {
      await this.transport.publish(name, text);
    } catch (error) {
      throw this.#transportError(error, `publish on "${name}"`);
    }
    this.#counters.published++;
  }

  /**
   * Calls `handler` for every message on `target` (a channel, or `channelPattern(...)`); resolves once
   * the transport is subscribed. Handlers of one channel share one transport subscription.
   */
  async subscribe<T = unknown>(
    target: Target<T> | string,
    handler: MessageHandler<T>,
  ): Promise<Subscription> {
    this.#assertOpen('subscribe');
    if (typeof handler !== 'function') {
      throw new InvalidOptionError('subscribe() needs a handler function.');
    }
    const { kind, name } = this.#target(target);
    const listener = handlerListener(handler, (error, channel) =>
      this.#handlerError(`A handler of "${name}"`, channel, error),
    );
    await this.#registry.add(kind, name, listener);
    let released: Promise<void> | undefined;
    return {
      kind,
      name,
      unsubscribe: () => {
        released ??= this.#release(kind, name, listener);
        return released;
      },
    };
  }

  /**
   * Subscribes `target` as an async iterator of messages and gap markers, buffering up to
   * `maxBuffer` messages. Subscribed at once (messages published after `await stream.ready` are
   * kept); leaving a `for await` loop releases it.
   */
  stream<T = unknown>(
    target: Target<T> | string,
    options: StreamOptions<T> = {},
  ): MessageStream<T> {
    this.#assertOpen('stream');
    const { kind, name } = this.#target(target);
    const stream: BusStream<T> = new BusStream<T>(
      {
        maxBuffer: positiveInteger(options.maxBuffer, this.#options.maxBuffer, 'maxBuffer'),
        overflow: overflowPolicy(options.overflow ?? this.#options.overflow),
        onDrop: (message, dropped) => {
          this.#counters.dropped++;
          options.onDrop?.(message, dropped);
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      },
      (self) => this.#registry.add(kind, name, self),
      () => {
        this.#streams.delete(stream as BusStream<unknown>);
        return this.#release(kind, name, stream);
      },
      (error) => this.#handlerError(`onDrop of "${name}"`, name, error),
    );
    if (!stream.closed) this.#streams.add(stream as BusStream<unknown>);
    return stream;
  }

  /**
   * Listens to `malformed`, `error`, `gap` or `message` events (`message`: every valid message
   * received, with its lag). Returns the function that stops listening.
   */
  on<K extends keyof BusEventMap>(type: K, listener: BusEventListener<K>): () => void {
    return this.#events.on(type, listener);
  }

  /** Called on every gap the bus detects (reconnect, sequence skip). Returns the function that stops it. */
  onGap(listener: (gap: Gap) => void): () => void {
    return this.#events.on('gap', listener);
  }

  /**
   * Counts and reports a message whose envelope was valid but whose payload a layer above the bus
   * refused (as `cacheSync` does); emitted as a `malformed` event.
   */
  reportMalformed(channel: string, reason: string, raw: unknown): void {
    this.#dispatcher.malformed(channel, undefined, reason, raw);
  }

  stats(): BusStats {
    return {
      ...this.#counters,
      ...this.#registry.counts(),
      streams: this.#streams.size,
      eventListeners: this.#events.size,
    };
  }

  /**
   * Ends every stream, drops every handler and closes the transport if this bus connected it (the
   * transport closes its subscriber connection; clients you passed it stay open). Idempotent.
   */
  dispose(): Promise<void> {
    this.#disposing ??= this.#dispose();
    return this.#disposing;
  }

  async #dispose(): Promise<void> {
    this.#streams.clear();
    await this.#registry.dispose();
    if (this.#connecting !== undefined) {
      const connected = await this.#connecting.then(
        () => true,
        () => false,
      );
      try {
        if (connected) await this.transport.close();
      } catch (error) {
        this.#report('dispose', undefined, this.#transportError(error, 'close'));
      }
    }
    this.#events.clear();
  }

  async #release(
    kind: TargetKind,
    name: string,
    listener: Parameters<Registry['remove']>[2],
  ): Promise<void> {
    try {
      await this.#registry.remove(kind, name, listener);
    } catch (error) {
      this.#report('unsubscribe', name, error as CacheError);
    }
  }

  #target(target: unknown): { kind: TargetKind; name: string } {
    const resolved = resolveTarget(target);
    if (resolved.kind === 'pattern' && !this.transport.capabilities.patterns) {
      throw new UnsupportedError(
        `Transport "${this.transport.name}" cannot subscribe to patterns (sharded pub/sub): subscribe to exact channels.`,
      );
    }
    return resolved;
  }

  #handlerError(what: string, channel: string, error: unknown): void {
    this.#counters.handlerErrors++;
    const detail = error instanceof Error ? error.message : String(error);
    this.#report(
      'handler',
      channel,
      new HandlerError(`${what} threw: ${detail}`, { cause: error }),
    );
  }

  #report(
    operation: BusErrorEvent['operation'],
    channel: string | undefined,
    error: CacheError,
  ): void {
    this.#events.emit('error', { operation, channel, error });
  }

  #transportError(error: unknown, operation: string): CacheError {
    return toTransportError(error, this.transport.name, operation);
  }

  #assertOpen(operation: string): void {
    if (this.#disposing !== undefined) {
      throw new ClosedError(`Cannot ${operation}: the bus was disposed. Create a new one.`);
    }
  }
}

/** Creates a {@link Bus} over `options.transport`. Nothing connects until the first subscription. */
export function createBus(options: BusOptions): Bus {
  return new Bus(options);
}

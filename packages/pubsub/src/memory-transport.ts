import {
  ClosedError,
  globToRegExp,
  InvalidOptionError,
  type Transport,
  type TransportCapabilities,
  type TransportHandlers,
} from '@cachekit/core';
import { assertChannelName } from './channels.js';

/** Connects in-process transports to each other, like one Redis server would. */
export interface MemoryHub {
  /** A new transport on this hub (same as `memoryTransport({ hub })`). */
  transport(): MemoryTransport;
  /** Transports connected and not closed. */
  readonly connected: number;
}

/**
 * Test hooks of a memory transport, to simulate what Redis does to a subscriber connection.
 * For tests only: production code has no reason to call them.
 */
export interface MemoryTransportTesting {
  /**
   * FOR TESTS: as if the subscriber connection dropped and came back with its subscriptions
   * restored: messages already published but not yet delivered to it are lost, then `reconnect()`
   * is signalled (in a microtask).
   */
  simulateReconnect(): void;
  /** FOR TESTS: the next `count` messages this transport would receive are lost. */
  dropNext(count: number): void;
}

/** An in-process {@link Transport}: messages go to every transport of the same hub that subscribed. */
export interface MemoryTransport extends Transport {
  /** Exact channels this transport is subscribed to. */
  readonly channels: ReadonlySet<string>;
  /** Patterns this transport is subscribed to. */
  readonly patterns: ReadonlySet<string>;
  /** True between `connect()` and `close()`. */
  readonly connected: boolean;
  /** Simulated faults, for tests only. */
  readonly testing: MemoryTransportTesting;
}

/** Options of {@link memoryTransport}. */
export interface MemoryTransportOptions {
  /** Hub shared with the transports this one talks to; default: a new hub of its own. */
  hub?: MemoryHub;
}

const CAPABILITIES: TransportCapabilities = Object.freeze({ patterns: true, local: true });

class Hub implements MemoryHub {
  readonly members = new Set<Member>();

  transport(): MemoryTransport {
    return new Member(this);
  }

  get connected(): number {
    return this.members.size;
  }

  deliver(channel: string, message: string): void {
    for (const member of this.members) member.receive(channel, message);
  }
}

class Member implements MemoryTransport {
  readonly name = 'memory';
  readonly capabilities: TransportCapabilities = CAPABILITIES;
  readonly channels = new Set<string>();
  readonly patterns = new Set<string>();
  readonly testing: MemoryTransportTesting;
  readonly #hub: Hub;
  readonly #matchers = new Map<string, RegExp>();
  #handlers: TransportHandlers | undefined;
  #closed = false;
  #drop = 0;
  /** Bumped by a simulated reconnect: deliveries scheduled before it are lost. */
  #epoch = 0;

  constructor(hub: Hub) {
    this.#hub = hub;
    this.testing = {
      simulateReconnect: () => {
        this.#epoch++;
        queueMicrotask(() => {
          if (this.connected) this.#handlers?.reconnect();
        });
      },
      dropNext: (count) => {
        this.#drop += Math.max(0, Math.trunc(count));
      },
    };
  }

  get connected(): boolean {
    return this.#handlers !== undefined && !this.#closed;
  }

  async connect(handlers: TransportHandlers): Promise<void> {
    this.#assertOpen('connect');
    this.#handlers = handlers;
    this.#hub.members.add(this);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#assertOpen('publish');
    assertChannelName(channel);
    this.#hub.deliver(channel, message);
  }

  async subscribe(channels: readonly string[]): Promise<void> {
    this.#assertOpen('subscribe');
    for (const channel of channels) this.channels.add(assertChannelName(channel));
  }

  async unsubscribe(channels: readonly string[]): Promise<void> {
    for (const channel of channels) this.channels.delete(channel);
  }

  async psubscribe(patterns: readonly string[]): Promise<void> {
    this.#assertOpen('psubscribe');
    for (const pattern of patterns) {
      this.patterns.add(assertChannelName(pattern, 'pattern'));
      this.#matchers.set(pattern, globToRegExp(pattern));
    }
  }

  async punsubscribe(patterns: readonly string[]): Promise<void> {
    for (const pattern of patterns) {
      this.patterns.delete(pattern);
      this.#matchers.delete(pattern);
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#hub.members.delete(this);
    this.channels.clear();
    this.patterns.clear();
    this.#matchers.clear();
    this.#handlers = undefined;
  }

  /** Called by the hub for every message published on it. */
  receive(channel: string, message: string): void {
    if (this.channels.has(channel)) this.#schedule(channel, message, undefined);
    for (const [pattern, matcher] of this.#matchers) {
      if (matcher.test(channel)) this.#schedule(channel, message, pattern);
    }
  }

  #schedule(channel: string, message: string, pattern: string | undefined): void {
    if (this.#drop > 0) {
      this.#drop--;
      return;
    }
    const epoch = this.#epoch;
    // Asynchronous like a socket: a handler that publishes never re-enters the publisher.
    queueMicrotask(() => {
      const handlers = this.#handlers;
      if (handlers === undefined || epoch !== this.#epoch) return;
      const live = pattern === undefined ? this.channels.has(channel) : this.patterns.has(pattern);
      if (live) handlers.message(channel, message, pattern);
    });
  }

  #assertOpen(operation: string): void {
    if (this.#closed)
      throw new ClosedError(`Cannot ${operation}: this memory transport is closed.`);
  }
}

/** A hub that in-process transports share, e.g. to run "several processes" in one test. */
export function memoryHub(): MemoryHub {
  return new Hub();
}

/**
 * An in-process transport (`{ patterns: true, local: true }`): the embedded default and the test
 * transport. Transports created from one {@link memoryHub} deliver to each other, including to
 * themselves, asynchronously and in publish order.
 */
export function memoryTransport(options: MemoryTransportOptions = {}): MemoryTransport {
  const hub = options.hub ?? memoryHub();
  if (!(hub instanceof Hub)) {
    throw new InvalidOptionError('Invalid hub: pass one created by memoryHub().');
  }
  return hub.transport();
}

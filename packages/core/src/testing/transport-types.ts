import type { Transport } from '../transport.js';

/** A Redis server of the deployment the transport suite runs against. */
export interface TransportNode {
  readonly host: string;
  readonly port: number;
}

/** A driver transport, with the diagnostics every cachekit driver transport exposes. */
export interface TransportUnderTest extends Transport {
  /** The connection subscribed on; `undefined` before `connect()` and after `close()`. */
  readonly subscriber: unknown;
  /** True when messages go through SPUBLISH / SSUBSCRIBE. */
  readonly sharded: boolean;
}

/** How a case wants its client (the one the transport is made from) set up. */
export interface TransportFixtureOptions {
  /** A name every connection of the client takes (CLIENT SETNAME), duplicates included. */
  connectionName?: string;
  /** A key prefix on the client, where the driver has one. Default: none. */
  keyPrefix?: string;
  /** The transport's `sharded` option. Default: not given (the driver's default). */
  sharded?: boolean;
  /** The client's reconnect strategy gives up at once (no reconnection). Default: false. */
  noReconnect?: boolean;
  /** The client points at a port nothing listens on (e.g. 1) and is not connected. Default: false. */
  unreachable?: boolean;
}

/** A transport made for one case, with the client it was made from. */
export interface TransportFixture {
  readonly transport: TransportUnderTest;
  /** Resolves if the user's client still works (e.g. a PING); rejects otherwise. */
  alive(): Promise<unknown>;
  /** Closes the user's client; the suite calls it (after `transport.close()`) when the case ends. */
  dispose(): unknown;
}

/** Options of `runTransportConformance` and `runTransportFaultConformance`. */
export interface TransportConformanceOptions {
  /** Shown in test names, e.g. `'ioredis cluster'`. */
  name: string;
  /** A single server, or a Redis Cluster (whose cases use sharded and classic pub/sub). */
  topology: 'standalone' | 'cluster';
  /** Every server of the deployment (one when standalone); read when a case runs. */
  nodes(): readonly TransportNode[];
  /**
   * Sends one command to `node` and resolves to its reply (e.g. redis-testkit's `sendCommand`).
   * The fault cases set `maxclients 1`: give them connections opened beforehand.
   */
  command(node: TransportNode, args: readonly string[]): Promise<unknown>;
  /** Makes a client of the deployment and a transport on it. */
  create(options: TransportFixtureOptions): Promise<TransportFixture>;
  /** True if `subscriber` (a connection the transport gave up on) has ended. */
  ended(subscriber: unknown): boolean;
  /**
   * The name a sharded subscription to `channel` has on the server, for a client with `keyPrefix`.
   * Default: `channel` (the driver does not prefix shard channels).
   */
  shardChannel?(channel: string, keyPrefix: string): string;
  /**
   * Extra checks of the subscriber connection, run before and after the 300 kill cycles (e.g. the
   * driver's own listener tables). Default: none.
   */
  checkSubscriber?(subscriber: unknown): void;
}

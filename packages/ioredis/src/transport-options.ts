import type { Transport } from '@cachekit/core';
import type { Cluster, Redis } from 'ioredis';
import type { IoredisClient } from './options.js';

/** Options of `ioredisTransport`. */
export interface IoredisTransportOptions {
  /**
   * Your `Redis` or `Cluster`. Messages are published on it; the transport makes its own
   * subscriber connection from it with `duplicate()` (same servers, credentials, TLS) and never
   * closes your client.
   */
  client: IoredisClient;
  /**
   * Sharded pub/sub (Redis 7+): SPUBLISH / SSUBSCRIBE, each channel served by the master that owns
   * its hash slot, instead of classic PUBLISH / SUBSCRIBE, which every cluster node relays to every
   * other. Patterns are not available in sharded mode (`capabilities.patterns` is false). Cluster
   * only. Default: `true` on a `Cluster`, `false` on a `Redis` (where `true` is refused).
   */
  sharded?: boolean;
}

/** The ioredis transport: a core `Transport` plus its subscriber connection, for diagnostics. */
export interface IoredisTransport extends Transport {
  /**
   * The connection the transport subscribes on (a `Redis`, or in sharded mode a `Cluster` that
   * holds one connection per master with subscribed channels). It changes if a Cluster node fails
   * over; `undefined` before `connect()` and after `close()`. Do not close it or subscribe on it.
   */
  readonly subscriber: Redis | Cluster | undefined;
  /** True when messages go through SPUBLISH / SSUBSCRIBE. */
  readonly sharded: boolean;
}

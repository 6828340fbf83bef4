import type { Transport } from '@cachekit/core';
import type {
  NodeRedisPubSubClient,
  NodeRedisPubSubClientOrCluster,
  NodeRedisPubSubCluster,
} from './transport-client.js';

/** Options of `nodeRedisTransport`. */
export interface NodeRedisTransportOptions {
  /**
   * Your connected client (`createClient()`) or cluster (`createCluster()`). Messages are published
   * on it; the transport makes its own subscriber connection from it with `duplicate()` (same
   * servers, credentials, TLS, reconnect strategy) and never closes your client.
   */
  client: NodeRedisPubSubClientOrCluster;
  /**
   * Sharded pub/sub (Redis 7+): SPUBLISH / SSUBSCRIBE, each channel served by the master that owns
   * its hash slot, instead of classic PUBLISH / SUBSCRIBE, which every cluster node relays to every
   * other. Patterns are not available in sharded mode (`capabilities.patterns` is false). Cluster
   * only. Default: `true` on a cluster, `false` on a single client (where `true` is refused).
   */
  sharded?: boolean;
}

/** The node-redis transport: a core `Transport` plus its subscriber connection, for diagnostics. */
export interface NodeRedisTransport extends Transport {
  /**
   * The client the transport subscribes on: a duplicate of your client, or of your cluster (which
   * opens one connection per master holding a subscribed shard channel, or one node connection
   * for classic pub/sub). `undefined` before `connect()` and after `close()`. Do not close it or
   * subscribe on it.
   */
  readonly subscriber: NodeRedisPubSubClient | NodeRedisPubSubCluster | undefined;
  /** True when messages go through SPUBLISH / SSUBSCRIBE. */
  readonly sharded: boolean;
}

import { InvalidOptionError, PubSubTransport, shardedOption } from '@cachekit/core';
import {
  isPubSubClient,
  isPubSubCluster,
  type NodeRedisPubSubClient,
  type NodeRedisPubSubCluster,
} from './transport-client.js';
import { ClusterSubscriber } from './transport-cluster.js';
import type { NodeRedisTransport, NodeRedisTransportOptions } from './transport-options.js';
import { ClientSubscriber } from './transport-standalone.js';

const NAME = 'nodeRedisTransport';

/**
 * A core `Transport` on node-redis. Publishes on your client (PUBLISH, or SPUBLISH when sharded)
 * and subscribes on a `duplicate()` of it, reporting `handlers.reconnect()` once the subscriptions
 * are back after every reconnect. `close()` closes only that duplicate.
 */
export function nodeRedisTransport(options: NodeRedisTransportOptions): NodeRedisTransport {
  if (typeof options !== 'object' || options === null || !isPubSubClient(options.client)) {
    throw new InvalidOptionError(
      `${NAME}: client must be a node-redis client (createClient) or cluster (createCluster).`,
    );
  }
  const client = options.client;
  const sharded = shardedOption(
    NAME,
    options.sharded,
    isPubSubCluster(client),
    'sharded pub/sub needs a cluster (createCluster); a single client uses classic pub/sub.',
  );
  return new PubSubTransport<NodeRedisPubSubClient | NodeRedisPubSubCluster>({
    name: 'node-redis',
    label: NAME,
    sharded,
    subscriber: (handlers) =>
      isPubSubCluster(client)
        ? new ClusterSubscriber(client, sharded, handlers, NAME)
        : new ClientSubscriber(client, handlers, NAME),
    publish: (channel, message) =>
      sharded ? client.sPublish(channel, message) : client.publish(channel, message),
  });
}

import {
  connectionError,
  InvalidOptionError,
  PubSubTransport,
  shardedOption,
} from '@cachekit/core';
import type { Cluster, Redis } from 'ioredis';
import type { IoredisClient } from './options.js';
import type { IoredisTransport, IoredisTransportOptions } from './transport-options.js';
import { ShardedSubscriber } from './transport-sharded.js';
import { clusterNodeSource, duplicateSource, SingleSubscriber } from './transport-single.js';

const NAME = 'ioredisTransport';

const ignore = (): void => {};

function isClient(value: unknown): value is IoredisClient {
  const candidate = value as { duplicate?: unknown; publish?: unknown } | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.duplicate === 'function' &&
    typeof candidate.publish === 'function'
  );
}

/**
 * Resolves once a Cluster knows its nodes (it may still be connecting when the transport starts).
 * A lazy Cluster is connected, as its first command would do; rejects if it fails or ends first.
 */
function clusterNodesKnown(client: Cluster): Promise<void> {
  if (client.nodes('all').length > 0) return Promise.resolve();
  if (client.status === 'end') return Promise.reject(new Error('the Cluster client has ended'));
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      client.off('ready', onReady);
      client.off('error', settle);
      client.off('end', onEnd);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onReady = (): void => settle();
    const onEnd = (): void => settle(new Error('the Cluster client ended before it connected'));
    client.on('ready', onReady);
    client.on('error', settle);
    client.on('end', onEnd);
    if (client.status === 'wait') client.connect().catch(ignore);
  });
}

/**
 * A core `Transport` on ioredis. Publishes on your client (PUBLISH, or SPUBLISH when sharded) and
 * subscribes on a connection of its own made with `duplicate()`, resubscribed and reported through
 * `handlers.reconnect()` after every reconnect. `close()` closes only that connection.
 */
export function ioredisTransport(options: IoredisTransportOptions): IoredisTransport {
  if (typeof options !== 'object' || options === null || !isClient(options.client)) {
    throw new InvalidOptionError(`${NAME}: client must be an ioredis Redis or Cluster instance.`);
  }
  const client = options.client;
  const cluster = (client as { isCluster?: unknown }).isCluster === true;
  const sharded = shardedOption(
    NAME,
    options.sharded,
    cluster,
    'sharded pub/sub needs a Cluster client; a standalone Redis uses classic pub/sub.',
  );
  return new PubSubTransport<Redis | Cluster>({
    name: 'ioredis',
    label: NAME,
    sharded,
    subscriber(handlers) {
      if (sharded) return new ShardedSubscriber(client as Cluster, handlers, NAME);
      const source = cluster
        ? clusterNodeSource(client as Cluster)
        : duplicateSource(client as Redis);
      return new SingleSubscriber(source, handlers, NAME);
    },
    // Classic pub/sub on a Cluster picks a node: the Cluster must know them first.
    ...(cluster && !sharded
      ? {
          prepare: () =>
            clusterNodesKnown(client as Cluster).catch((cause: unknown) => {
              throw connectionError(NAME, 'the Cluster did not connect', cause);
            }),
        }
      : {}),
    publish: (channel, message) =>
      sharded ? client.spublish(channel, message) : client.publish(channel, message),
  });
}

export type {
  NodeRedisClient,
  NodeRedisClientOrCluster,
  NodeRedisCluster,
  NodeRedisClusterNode,
  NodeRedisCommands,
  NodeRedisEvalOptions,
} from './client.js';
export type {
  NodeRedisClientOptions,
  NodeRedisClusterOptions,
  NodeRedisStoreClientOptions,
  NodeRedisStoreClusterOptions,
  NodeRedisStoreOptions,
  NodeRedisStoreUrlOptions,
} from './options.js';
export { nodeRedisStore } from './store.js';
export { nodeRedisTransport } from './transport.js';
export type {
  NodeRedisMessageListener,
  NodeRedisPubSubClient,
  NodeRedisPubSubClientOrCluster,
  NodeRedisPubSubCluster,
  NodeRedisPubSubNode,
  NodeRedisPubSubType,
} from './transport-client.js';
export type { NodeRedisTransport, NodeRedisTransportOptions } from './transport-options.js';

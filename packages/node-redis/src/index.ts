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

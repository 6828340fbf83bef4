export { findExecutable, INSTALL_HINT } from './binaries.js';
export { type RedisClusterHandle, type RedisClusterOptions, startRedisCluster } from './cluster.js';
export { parseClusterNodes, parseRedisUrl, type RedisTestConfig } from './config.js';
export { type FindFreePortOptions, findFreePort } from './ports.js';
export {
  info,
  parseInfo,
  type RedisAddress,
  RedisCommandTimeoutError,
  RedisReplyError,
  type RespValue,
  type SendCommandOptions,
  sendCommand,
} from './resp.js';
export { type RedisServerHandle, type RedisServerOptions, startRedisServer } from './server.js';
export { type WaitForOptions, WaitTimeoutError, waitFor } from './wait.js';

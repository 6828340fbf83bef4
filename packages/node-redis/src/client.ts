/**
 * The parts of a node-redis client (`createClient`) and cluster (`createCluster`) the store uses,
 * typed by shape so that any node-redis 5/6 client fits, whatever its modules, scripts, RESP
 * version or type mapping. Replies are `unknown` and checked at run time.
 */

/** Arguments of EVAL / EVALSHA, as node-redis takes them. */
export interface NodeRedisEvalOptions {
  keys: string[];
  arguments: string[];
}

/** Commands the store sends through a client or a cluster (which routes them by key). */
export interface NodeRedisCommands {
  get(key: string): Promise<unknown>;
  /** Keys must share one hash slot on a cluster. */
  mGet(keys: string[]): Promise<unknown>;
  set(
    key: string,
    value: string,
    options: { expiration: { type: 'PX'; value: number } },
  ): Promise<unknown>;
  /** Takes an array: `unlink(a, b)` would unlink only `a`. */
  unlink(keys: string[]): Promise<unknown>;
  evalSha(sha1: string, options: NodeRedisEvalOptions): Promise<unknown>;
  eval(script: string, options: NodeRedisEvalOptions): Promise<unknown>;
  close(): Promise<void>;
  /** True once `connect()` was called and until `close()`. */
  readonly isOpen: boolean;
}

/** A node-redis client (`createClient()`), connected by its owner. */
export interface NodeRedisClient extends NodeRedisCommands {
  scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<unknown>;
}

/** A node of a cluster's topology (`cluster.masters[i]`). */
export interface NodeRedisClusterNode {
  readonly host: string;
  readonly port: number;
}

/** A node-redis cluster (`createCluster()`), connected by its owner. */
export interface NodeRedisCluster extends NodeRedisCommands {
  /** The masters of the current topology. */
  readonly masters: readonly NodeRedisClusterNode[];
  /** The client connected to one node (used to SCAN each master). */
  nodeClient(node: NodeRedisClusterNode): Promise<NodeRedisClient>;
}

/** Either kind of client. */
export type NodeRedisClientOrCluster = NodeRedisClient | NodeRedisCluster;

/** Tells a cluster from a single client by its topology accessors. */
export function isCluster(client: NodeRedisClientOrCluster): client is NodeRedisCluster {
  return 'masters' in client && typeof (client as NodeRedisCluster).nodeClient === 'function';
}

/**
 * The `keyPrefix` node-redis 6 prepends to every key it sends (`''` if none). The store needs it
 * where node-redis does not apply it: SCAN patterns and replies, and hash-slot grouping.
 */
export function keyPrefixOf(client: NodeRedisClientOrCluster): string {
  const holder = client as {
    options?: { keyPrefix?: unknown } | undefined;
    _options?: { keyPrefix?: unknown } | undefined;
  };
  const prefix = isCluster(client) ? holder._options?.keyPrefix : holder.options?.keyPrefix;
  if (typeof prefix === 'string') return prefix;
  if (Buffer.isBuffer(prefix)) return prefix.toString('utf8');
  return '';
}

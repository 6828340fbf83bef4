import type { RedisAddress } from './resp.js';

/** What the global setup provides to every test project under the key `'redis'`. */
export interface RedisTestConfig {
  /** One standalone server (started for the run, or REDIS_URL). */
  readonly standalone: {
    readonly host: string;
    readonly port: number;
    readonly url: string;
  };
  /** Seed nodes of one Redis Cluster (started for the run, or REDIS_CLUSTER_NODES). */
  readonly cluster: readonly RedisAddress[];
  /**
   * True when any of these servers came from the environment: tests must then not
   * kill, pause or wipe them. Tests that break servers start their own.
   */
  readonly external: boolean;
}

declare module 'vitest' {
  export interface ProvidedContext {
    redis: RedisTestConfig;
  }
}

/** Parses `redis://[user:pass@]host[:port][/db]` into the standalone part of the config. */
export function parseRedisUrl(url: string): RedisTestConfig['standalone'] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`REDIS_URL is not a URL: ${JSON.stringify(url)} (expected redis://host:port)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss://, got ${JSON.stringify(url)}`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  return { host, port, url };
}

/** Parses `host:port,host:port,...` (REDIS_CLUSTER_NODES). */
export function parseClusterNodes(list: string): RedisAddress[] {
  const nodes = list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => {
      const colon = item.lastIndexOf(':');
      const host = item.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
      const port = Number(item.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
        throw new Error(`REDIS_CLUSTER_NODES entry ${JSON.stringify(item)} is not host:port`);
      }
      return { host, port };
    });
  if (nodes.length === 0) throw new Error('REDIS_CLUSTER_NODES is set but lists no host:port');
  return nodes;
}

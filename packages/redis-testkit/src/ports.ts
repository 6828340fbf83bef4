import { createServer } from 'node:net';

/**
 * Ports are drawn at random from 15000-21999, below Linux's ephemeral range
 * (32768-60999), so outgoing connections never take them; a cluster node's bus port
 * (port + 10000, 25000-31999) stays below it too.
 */
const LOW = 15_000;
const HIGH = 22_000;
const CLUSTER_BUS_OFFSET = 10_000;

/** Ports handed out by this process, so parallel callers never get the same one. */
const reserved = new Set<number>();

function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

export interface FindFreePortOptions {
  /** Interface to check. Default `127.0.0.1`. */
  readonly host?: string;
  /** Also require `port + 10000` to be free (Redis Cluster bus). */
  readonly clusterBus?: boolean;
}

/**
 * Returns a port that nothing listens on right now (checked by binding it). Another
 * process may still take it before the caller binds: startRedisServer retries on that.
 */
export async function findFreePort(options: FindFreePortOptions = {}): Promise<number> {
  const host = options.host ?? '127.0.0.1';
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (reserved.has(port)) continue;
    reserved.add(port);
    const free =
      (await canListen(port, host)) &&
      (!options.clusterBus || (await canListen(port + CLUSTER_BUS_OFFSET, host)));
    if (free) return port;
    reserved.delete(port);
  }
  throw new Error(`No free port found in ${LOW}-${HIGH} on ${host}`);
}

/** Lets a port handed out by {@link findFreePort} be drawn again. */
export function releasePort(port: number): void {
  reserved.delete(port);
}

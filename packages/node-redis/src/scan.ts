import { isCluster, type NodeRedisClient, type NodeRedisClientOrCluster } from './client.js';
import { scanPage } from './replies.js';

/** Escapes glob characters so that `text` matches only itself in a SCAN MATCH pattern. */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** What {@link scanAndDelete} needs from the store. */
export interface ScanPlan {
  readonly client: NodeRedisClientOrCluster;
  /** The client's `keyPrefix`: added to the pattern, removed from the keys SCAN returns. */
  readonly prefix: string;
  /** COUNT hint of each SCAN. */
  readonly count: number;
  /** Deletes keys (without the prefix), resolving to how many existed. */
  readonly unlink: (keys: string[]) => Promise<number>;
}

async function scanNode(node: NodeRedisClient, match: string, plan: ScanPlan): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const page = scanPage(await node.scan(cursor, { MATCH: match, COUNT: plan.count }));
    cursor = page.cursor;
    if (page.keys.length > 0) {
      deleted += await plan.unlink(page.keys.map((key) => key.slice(plan.prefix.length)));
    }
  } while (cursor !== '0');
  return deleted;
}

/**
 * Deletes every key matching `pattern`: SCAN MATCH COUNT on the server, or on every master of a
 * cluster in parallel, deleting each page as it comes. Never KEYS.
 */
export async function scanAndDelete(pattern: string, plan: ScanPlan): Promise<number> {
  const { client } = plan;
  const match = escapeGlob(plan.prefix) + pattern;
  const nodes = isCluster(client)
    ? await Promise.all(client.masters.map((master) => client.nodeClient(master)))
    : [client];
  const counts = await Promise.all(nodes.map((node) => scanNode(node, match, plan)));
  return counts.reduce((sum, count) => sum + count, 0);
}

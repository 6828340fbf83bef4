import type { Cluster } from 'ioredis';
import type { ResolvedClient } from './client.js';
import type { Commands, ScanNode } from './commands.js';

/** Escapes glob characters so that a literal (the client's `keyPrefix`) can start a pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, '\\$&');
}

/** SCANs one server and deletes each batch while fetching the next. Resolves to the count deleted. */
async function scanAndDelete(
  node: ScanNode,
  match: string,
  count: number,
  remove: (keys: string[]) => Promise<number>,
): Promise<number> {
  let cursor = '0';
  let total = 0;
  let pending: Promise<number> = Promise.resolve(0);
  do {
    const [[next, keys], removed] = await Promise.all([
      node.scan(cursor, 'MATCH', match, 'COUNT', count),
      pending,
    ]);
    total += removed;
    cursor = next;
    pending = keys.length === 0 ? Promise.resolve(0) : remove(keys);
  } while (cursor !== '0');
  return total + (await pending);
}

/** The servers to SCAN: the client itself, or every cluster master (connecting first if needed). */
async function scanTargets(resolved: ResolvedClient): Promise<ScanNode[]> {
  if (!resolved.cluster) return [resolved.client as unknown as ScanNode];
  const cluster = resolved.client as Cluster;
  let masters = cluster.nodes('master');
  if (masters.length === 0) {
    // Not connected yet (lazyConnect or still starting): any command waits for the slot map.
    await (cluster as unknown as Commands).ping();
    masters = cluster.nodes('master');
  }
  if (masters.length === 0) throw new Error('ioredis Cluster knows no master to SCAN');
  return masters as unknown as ScanNode[];
}

/**
 * Deletes every key matching `pattern` with SCAN MATCH + UNLINK on every master, batch by batch;
 * never KEYS. `remove` deletes keys given without the client's `keyPrefix` (ioredis adds it back).
 */
export async function deleteMatching(
  resolved: ResolvedClient,
  pattern: string,
  remove: (keys: readonly string[]) => Promise<number>,
): Promise<number> {
  const prefix = resolved.keyPrefix;
  const match = escapeGlob(prefix) + pattern;
  const strip =
    prefix === '' ? undefined : (keys: string[]) => keys.map((key) => key.slice(prefix.length));
  const targets = await scanTargets(resolved);
  const counts = await Promise.all(
    targets.map((node) =>
      scanAndDelete(node, match, resolved.scanCount, (keys) =>
        remove(strip === undefined ? keys : strip(keys)),
      ),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}

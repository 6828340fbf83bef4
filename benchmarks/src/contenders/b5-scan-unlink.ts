import { Redis } from 'ioredis';
import { B5_JSON, B5_TTL_MS, type Invalidator, pipelined } from './b5-invalidator.js';

/** `COUNT` hint of each SCAN: the value cachekit's stores and BentoCache's `clear()` use. */
const SCAN_COUNT = 1_000;

/**
 * The hand-written reference: plain ioredis, entry `i` of set `s` is the JSON at `<prefix><s>:<i>`
 * (`SET … PX`), and invalidating a set is the loop every team writes first: `SCAN cursor MATCH
 * <prefix><s>:* COUNT 1000`, `UNLINK` the keys of each batch, until the cursor is back to 0.
 */
export function scanUnlinkInvalidator(redisUrl: string, prefix: string): Invalidator {
  const client = new Redis(redisUrl);
  const key = (set: string, index: number): string => `${prefix}${set}:${index}`;
  return {
    async populate(set, size) {
      await pipelined(client, size, (pipeline, i) => {
        pipeline.set(key(set, i), B5_JSON, 'PX', B5_TTL_MS);
      });
    },
    async invalidate(set) {
      const match = `${prefix}${set}:*`;
      let cursor = '0';
      let deleted = 0;
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT);
        cursor = next;
        if (keys.length > 0) deleted += await client.unlink(...keys);
      } while (cursor !== '0');
      return deleted;
    },
    ping: () => client.ping(),
    async read(set, index) {
      const stored = await client.get(key(set, index));
      return stored === null ? undefined : JSON.parse(stored);
    },
    // SCAN + UNLINK leaves nothing behind.
    cleanup: async () => {},
    async close() {
      await client.quit();
    },
  };
}

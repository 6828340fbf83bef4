import type { EntryOptions } from '@cachekit/core';
import { B5_TTL_MS, B5_VALUE, copyEntry, type Invalidator, unlinkAll } from './b5-invalidator.js';
import { type CachekitInstance, connectCachekit } from './cachekit.js';

/** How the set is marked: a tag on every entry, or only the key pattern `<set>:*`. */
export type CachekitMarking = 'tags' | 'pattern';

/**
 * cachekit as in B1 (`connectCachekit`: ioredis store, `l1: true`, `sync: cacheSync(bus)`, ready
 * before use), one namespace per contender. Entry `i` of set `s` is `cache.set([s, i], value)`
 * with `tags: [s]` (`'tags'`: invalidated by `cache.invalidateTags([s])`, one generation bump) or
 * without tags (`'pattern'`: `cache.deleteMatching('<s>:*')`, SCAN + UNLINK). The first entry
 * of a set is written with `cache.set`, the others are byte copies of it (see `copyEntry`).
 */
export async function cachekitInvalidator(
  redisUrl: string,
  namespace: string,
  marking: CachekitMarking,
): Promise<Invalidator> {
  const instance: CachekitInstance = await connectCachekit({
    redisUrl,
    ttlMs: B5_TTL_MS,
    namespace,
  });
  const { cache, client } = instance;
  const fullKey = (set: string, index: number): string => cache.keys.entry([set, index]);
  const entryOptions = new Map<string, EntryOptions>();
  const optionsOf = (set: string): EntryOptions | undefined => {
    if (marking === 'pattern') return undefined;
    let options = entryOptions.get(set);
    if (options === undefined) {
      options = { tags: [set] };
      entryOptions.set(set, options);
    }
    return options;
  };
  return {
    async populate(set, size) {
      await cache.set([set, 0], B5_VALUE, optionsOf(set));
      await copyEntry(client, size, (i) => fullKey(set, i), B5_TTL_MS);
    },
    async invalidate(set) {
      if (marking === 'pattern') return cache.deleteMatching(`${set}:*`);
      await cache.invalidateTags([set]);
      return undefined;
    },
    read: (set, index) => cache.get([set, index]),
    ping: () => client.ping(),
    async cleanup(set, size) {
      entryOptions.delete(set);
      // `cache.set` also moved the first entry's generation key; the tag keeps its generation.
      await client.unlink(cache.keys.generationOf(fullKey(set, 0)));
      if (marking === 'tags') await unlinkAll(client, size, (i) => fullKey(set, i));
    },
    close: () => instance.close(),
  };
}

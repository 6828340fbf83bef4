import { connectCachekit } from '../contenders/cachekit.js';
import { HandWrittenL1 } from '../contenders/hand-written.js';
import type { InitArgs } from './protocol.js';

/** The cache a worker process drives, whichever it is. */
export interface WorkerCache {
  /** Cache-aside read. */
  read(key: string, loader: () => Promise<unknown>): Promise<unknown>;
  /** Deletes the key and tells the other processes to drop their L1 copies. */
  remove(key: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Called right after an L1 copy was dropped by another process's invalidation: with the key
 * (cachekit: its store key, ending in `:<key>`), or with undefined when L1 was flushed (a gap).
 */
export type OnDropped = (key: string | undefined) => void;

/** The hand-written reference's pub/sub channel. */
const HAND_WRITTEN_CHANNEL = 'bench:invalidate';

/**
 * cachekit as B1 configures it (`connectCachekit`: ioredis store, L1, `cacheSync` over an ioredis
 * bus, ready before use), or the hand-written Map + ioredis pub/sub loop.
 */
export async function openWorkerCache(args: InitArgs, onDropped: OnDropped): Promise<WorkerCache> {
  if (args.kind === 'hand-written') {
    const cache = await HandWrittenL1.connect(
      args.redisUrl,
      HAND_WRITTEN_CHANNEL,
      args.ttlMs,
      onDropped,
    );
    return {
      read: (key, loader) => cache.get(key, loader),
      remove: (key) => cache.invalidate(key),
      close: () => cache.close(),
    };
  }
  const instance = await connectCachekit({
    redisUrl: args.redisUrl,
    ttlMs: args.ttlMs,
    extra: { lock: args.lock },
  });
  const { cache } = instance;
  cache.on('invalidate', (event) => {
    if (event.remote !== true) return;
    if (event.flush === true) onDropped(undefined);
    for (const key of event.keys ?? []) onDropped(key);
  });
  return {
    read: (key, loader) => cache.getOrSet(key, loader),
    remove: (key) => cache.delete(key),
    close: () => instance.close(),
  };
}

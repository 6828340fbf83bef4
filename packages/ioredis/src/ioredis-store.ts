import {
  ABSENT_GENERATION,
  type EntryGeneration,
  type GenerationGuard,
  type Store,
  type StoreCapabilities,
  type StoreEntry,
} from '@cachekit/core';
import { type ResolvedClient, resolveClient } from './client.js';
import { type Commands, checkPipeline } from './commands.js';
import type { IoredisClient, IoredisStoreOptions } from './options.js';
import { quitClient } from './quit.js';
import { deleteMatching } from './scan.js';
import { defineScripts } from './scripts.js';
import { chunks, type KeyGrouper, oneGroup, slotGrouper, slotOf } from './slots.js';

/** The ioredis store: a {@link Store} plus the client it talks to. */
export interface IoredisStore extends Store {
  /** The client in use: yours, or the one the store created (listen to its `error` events here). */
  readonly client: IoredisClient;
}

/**
 * A cachekit store on ioredis, standalone or Cluster.
 *
 * ```ts
 * const store = ioredisStore({ client: new Redis(process.env.REDIS_URL) }); // yours: stays open
 * const owned = ioredisStore({ redis: 'redis://localhost:6379' }); // created: close() quits it
 * const cache = createCache({ store, namespace: 'fleet' });
 * ```
 *
 * Multi-key work is split by hash slot in a cluster (one MGET, pipeline or UNLINK per slot and
 * batch); `deleteMatching` SCANs every master and UNLINKs batch by batch, never KEYS or FLUSH*.
 * Generations, guarded writes and lock releases are Lua scripts defined on the client, so they
 * survive `SCRIPT FLUSH`; a lock is taken with `SET NX PX`. In a cluster, guards in another slot
 * than the key are read just before the guarded write: those checks are not atomic with it
 * (same-slot guards are).
 */
export function ioredisStore(options: IoredisStoreOptions): IoredisStore {
  const resolved: ResolvedClient = resolveClient(options);
  const { client, cluster, keyPrefix, batchSize } = resolved;
  const commands = client as unknown as Commands;
  const scripts = defineScripts(client);
  const group: KeyGrouper = cluster ? slotGrouper(keyPrefix) : oneGroup;
  const capabilities: StoreCapabilities = Object.freeze({
    patternDelete: true,
    atomicGuards: true,
    local: false,
    cluster,
  });
  let closing: Promise<void> | undefined;

  /** Positions into `keys`, grouped by slot and split into batches of at most `batchSize`. */
  const batches = (keys: readonly string[]): number[][] =>
    group(keys).flatMap((g) => chunks(g, batchSize));
  const pick = <T>(items: readonly T[], positions: readonly number[]): T[] =>
    positions.map((i) => items[i] as T);

  async function getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    const out = new Array<string | undefined>(keys.length).fill(undefined);
    await Promise.all(
      batches(keys).map(async (positions) => {
        const values = await commands.mget(pick(keys, positions));
        for (let j = 0; j < positions.length; j++) {
          out[positions[j] as number] = values[j] ?? undefined;
        }
      }),
    );
    return out;
  }

  async function remove(keys: readonly string[]): Promise<number> {
    const counts = await Promise.all(
      batches(keys).map((positions) => commands.unlink(pick(keys, positions))),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async function setMany(entries: readonly StoreEntry[]): Promise<void> {
    const writes = batches(entries.map((entry) => entry.key)).map(async (positions) => {
      if (positions.length === 1) {
        const entry = entries[positions[0] as number] as StoreEntry;
        await commands.set(entry.key, entry.value, 'PX', entry.ttl);
        return;
      }
      const pipeline = commands.pipeline();
      for (const entry of pick(entries, positions)) {
        pipeline.set(entry.key, entry.value, 'PX', entry.ttl);
      }
      checkPipeline(await pipeline.exec());
    });
    await Promise.all(writes);
  }

  async function bumpGenerations(keys: readonly string[], ttl: number): Promise<string[]> {
    const out = new Array<string>(keys.length);
    await Promise.all(
      batches(keys).map(async (positions) => {
        const batch = pick(keys, positions);
        const values = await scripts.cachekitBumpGenerations(batch.length, ...batch, ttl);
        for (let j = 0; j < positions.length; j++) out[positions[j] as number] = String(values[j]);
      }),
    );
    return out;
  }

  async function invalidate(
    entries: readonly EntryGeneration[],
    generationTtl: number,
  ): Promise<number> {
    // An entry and its generation share a slot, unless a client keyPrefix on a Cluster moved the
    // entry out of its hash tag: those pairs are bumped, then deleted, in two ordered steps.
    const together = cluster && keyPrefix !== '' ? entries.filter(sameSlot) : entries;
    const apart = together === entries ? [] : entries.filter((entry) => !sameSlot(entry));
    const counts = await Promise.all(
      batches(together.map((entry) => entry.key)).map(async (positions) => {
        const keys = pick(together, positions).flatMap((entry) => [entry.key, entry.generationKey]);
        return Number(await scripts.cachekitInvalidate(keys.length, ...keys, generationTtl));
      }),
    );
    if (apart.length > 0) {
      await bumpGenerations(
        apart.map((entry) => entry.generationKey),
        generationTtl,
      );
      counts.push(await remove(apart.map((entry) => entry.key)));
    }
    return counts.reduce((sum, count) => sum + count, 0);
  }

  function sameSlot(entry: EntryGeneration): boolean {
    return slotOf(entry.key, keyPrefix) === slotOf(entry.generationKey, keyPrefix);
  }

  async function replace(
    key: string,
    value: string,
    ttl: number,
    generationKey: string,
    generationTtl: number,
  ): Promise<void> {
    if (cluster && keyPrefix !== '' && !sameSlot({ key, generationKey })) {
      await bumpGenerations([generationKey], generationTtl);
      await commands.set(key, value, 'PX', ttl);
      return;
    }
    await scripts.cachekitReplace(key, generationKey, value, ttl, generationTtl);
  }

  async function setIfGenerations(
    key: string,
    value: string,
    ttl: number,
    guards: readonly GenerationGuard[],
  ): Promise<boolean> {
    let atomic = guards;
    if (cluster && guards.length > 0) {
      const slot = slotOf(key, keyPrefix);
      atomic = guards.filter((guard) => slotOf(guard.key, keyPrefix) === slot);
      const others = guards.filter((guard) => slotOf(guard.key, keyPrefix) !== slot);
      if (others.length > 0) {
        // Not atomic with the write: the script cannot read keys of other slots.
        const current = await getMany(others.map((guard) => guard.key));
        const moved = others.some(
          (guard, i) => (current[i] ?? ABSENT_GENERATION) !== guard.generation,
        );
        if (moved) return false;
      }
    }
    const written = await scripts.cachekitSetIfGenerations(
      1 + atomic.length,
      key,
      ...atomic.map((guard) => guard.key),
      value,
      ttl,
      ...atomic.map((guard) => guard.generation),
    );
    return Number(written) === 1;
  }

  return {
    name: 'ioredis',
    capabilities,
    client,
    async get(key) {
      return (await commands.get(key)) ?? undefined;
    },
    getMany,
    async set(key, value, ttl) {
      await commands.set(key, value, 'PX', ttl);
    },
    setMany,
    delete: remove,
    deleteMatching: (pattern) => deleteMatching(resolved, pattern, remove),
    bumpGenerations,
    setIfGenerations,
    invalidate,
    replace,
    async acquireLock(key, token, ttl) {
      return (await commands.set(key, token, 'PX', ttl, 'NX')) === 'OK';
    },
    async releaseLock(key, token) {
      return Number(await scripts.cachekitReleaseLock(key, token)) === 1;
    },
    async close() {
      if (!resolved.owned) return;
      closing ??= quitClient(client);
      await closing;
    },
  };
}

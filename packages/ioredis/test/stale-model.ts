import { type Cache, createCache, type Store } from '@cachekit/core';
import fc from 'fast-check';
import type { Cluster, Redis } from 'ioredis';
import { type Deferred, decodeRaw, deferred, uniqueName } from './helpers.js';

/** What the property drives: loads, releases of loads, source writes, invalidations, reads. */
export type Op =
  | { kind: 'load'; key: number }
  | { kind: 'release'; pick: number }
  | { kind: 'write'; key: number }
  | { kind: 'update'; key: number; how: 'delete' | 'tag' }
  | { kind: 'invalidate'; key: number; how: 'delete' | 'tag' }
  | { kind: 'read'; key: number };

const KEYS = 2;
const TAG = 'all';
const key = fc.integer({ min: 0, max: KEYS - 1 });
const how = fc.constantFrom('delete' as const, 'tag' as const);

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('load' as const), key }),
  fc.record({ kind: fc.constant('release' as const), pick: fc.nat(7) }),
  fc.record({ kind: fc.constant('write' as const), key }),
  fc.record({ kind: fc.constant('update' as const), key, how }),
  fc.record({ kind: fc.constant('invalidate' as const), key, how }),
  fc.record({ kind: fc.constant('read' as const), key }),
);

interface Loaded {
  readonly version: number;
}

interface PendingLoad {
  readonly key: number;
  readonly gate: Deferred<void>;
  readonly result: Promise<Loaded>;
  /** The floor when the call started: a value below it is stale. */
  readonly floor: number;
}

/**
 * Runs one sequence against real Redis and throws on the first violation of:
 * 1. no read (get, or getOrSet hit or load) returns a version below the source version at the
 *    start of the last invalidation of its key that completed before the read started;
 * 2. no stale value is stored after an invalidation: a stored entry is newer than the last
 *    delete of its key, and newer than the tag invalidation whose generation it carries.
 *
 * Each load runs on its own cache (another "process" on the same store), so only the store's
 * guards, not in-process single-flight, keep its result out after an invalidation.
 */
export async function runStaleModel(
  store: Store,
  client: Redis | Cluster,
  ops: readonly Op[],
): Promise<void> {
  const namespace = uniqueName('prop');
  const main = createCache({ store, namespace });
  const source = new Array<number>(KEYS).fill(0);
  const floor = new Array<number>(KEYS).fill(0);
  const deleteFloor = new Array<number>(KEYS).fill(0);
  /** Tag generation -> source versions when that tag invalidation started. */
  const tagFloors = new Map<string, number[]>();
  const pending: PendingLoad[] = [];
  const name = (k: number): string => `item${k}`;
  const check = (k: number, loaded: Loaded | undefined, atLeast: number, what: string): void => {
    if (loaded !== undefined && loaded.version < atLeast) {
      throw new Error(
        `${what} of key ${k} returned version ${loaded.version}, older than ${atLeast}`,
      );
    }
  };

  const invalidate = async (k: number, kind: 'delete' | 'tag'): Promise<void> => {
    const started = [...source];
    if (kind === 'delete') {
      await main.delete(name(k));
      deleteFloor[k] = Math.max(deleteFloor[k] as number, started[k] as number);
      floor[k] = Math.max(floor[k] as number, started[k] as number);
      return;
    }
    await main.invalidateTags([TAG]);
    const generation = await client.get(main.keys.tag(TAG));
    if (generation === null) throw new Error('tag generation missing right after invalidateTags');
    tagFloors.set(generation, started);
    for (let i = 0; i < KEYS; i++) floor[i] = Math.max(floor[i] as number, started[i] as number);
  };

  const startLoad = async (k: number, cache: Cache): Promise<void> => {
    const atStart = floor[k] as number;
    const gate = deferred();
    const called = deferred();
    const result = cache.getOrSet<Loaded>(
      name(k),
      async () => {
        const version = source[k] as number;
        called.resolve();
        await gate.promise;
        return { version };
      },
      { tags: [TAG] },
    );
    const state = await Promise.race([
      called.promise.then(() => 'loading' as const),
      result.then(
        () => 'done' as const,
        () => 'done' as const,
      ),
    ]);
    if (state === 'done') check(k, await result, atStart, 'getOrSet (hit)');
    else pending.push({ key: k, gate, result, floor: atStart });
  };

  const release = async (load: PendingLoad): Promise<void> => {
    load.gate.resolve();
    check(load.key, await load.result, load.floor, 'getOrSet (load)');
  };

  for (const op of ops) {
    switch (op.kind) {
      case 'load':
        await startLoad(op.key, createCache({ store, namespace }));
        break;
      case 'release': {
        const load = pending.splice(op.pick % Math.max(pending.length, 1), 1)[0];
        if (load !== undefined) await release(load);
        break;
      }
      case 'write':
        source[op.key] = (source[op.key] as number) + 1;
        break;
      case 'update':
        source[op.key] = (source[op.key] as number) + 1;
        await invalidate(op.key, op.how);
        break;
      case 'invalidate':
        await invalidate(op.key, op.how);
        break;
      case 'read': {
        const atStart = floor[op.key] as number;
        check(op.key, await main.get<Loaded>(name(op.key)), atStart, 'get');
        break;
      }
    }
  }
  for (const load of pending.splice(0)) await release(load);

  for (let k = 0; k < KEYS; k++) {
    const raw = await client.get(main.keys.entry(name(k)));
    if (raw === null) continue;
    const entry = decodeRaw(raw);
    if (entry === undefined) throw new Error(`key ${k}: stored entry cannot be decoded: ${raw}`);
    const version = (entry.value as Loaded).version;
    if (version < (deleteFloor[k] as number)) {
      throw new Error(
        `key ${k}: version ${version} was stored after a delete at version ${deleteFloor[k]}`,
      );
    }
    const generation = entry.tags[1];
    if (generation !== undefined && generation !== '0') {
      const floors = tagFloors.get(generation);
      if (floors === undefined) {
        throw new Error(`key ${k}: stored with unknown tag generation ${generation}`);
      }
      if (version < (floors[k] as number)) {
        throw new Error(
          `key ${k}: version ${version} was stored after a tag invalidation at ${floors[k]}`,
        );
      }
    }
    check(k, await main.get<Loaded>(name(k)), floor[k] as number, 'final get');
  }
}

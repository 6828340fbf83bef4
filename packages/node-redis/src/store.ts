import {
  ABSENT_GENERATION,
  type EntryGeneration,
  type GenerationGuard,
  InvalidOptionError,
  type Store,
  type StoreCapabilities,
  type StoreEntry,
} from '@cachekit/core';
import { batchKeys, slotOf } from './batches.js';
import { isCluster, keyPrefixOf, type NodeRedisClientOrCluster } from './client.js';
import { borrowed, type Connection, ownedClient, ownedCluster } from './connection.js';
import {
  type NodeRedisStoreClientOptions,
  type NodeRedisStoreClusterOptions,
  type NodeRedisStoreOptions,
  type NodeRedisStoreUrlOptions,
  resolveScanCount,
  sourceOf,
} from './options.js';
import { integer, optionalString, optionalStrings, requiredString } from './replies.js';
import { runScript } from './run-script.js';
import { scanAndDelete } from './scan.js';
import {
  BUMP_GENERATIONS,
  INVALIDATE,
  RELEASE_LOCK,
  REPLACE,
  SET_IF_GENERATIONS,
} from './scripts.js';

function assertClient(client: unknown): asserts client is NodeRedisClientOrCluster {
  const shape = client as Partial<Record<'mGet' | 'evalSha' | 'unlink', unknown>> | null;
  if (
    typeof shape?.mGet !== 'function' ||
    typeof shape.evalSha !== 'function' ||
    typeof shape.unlink !== 'function'
  ) {
    throw new InvalidOptionError(
      'nodeRedisStore: `client` must be a node-redis client or cluster (createClient / createCluster ' +
        "from 'redis'). For ioredis, use @cachekit/ioredis.",
    );
  }
}

function connect(options: NodeRedisStoreOptions): Connection {
  switch (sourceOf(options)) {
    case 'client': {
      const { client } = options as NodeRedisStoreClientOptions;
      assertClient(client);
      return borrowed(client);
    }
    case 'cluster':
      return ownedCluster(options as NodeRedisStoreClusterOptions);
    default:
      return ownedClient(options as NodeRedisStoreUrlOptions);
  }
}

const ttlOption = (ttl: number) => ({ expiration: { type: 'PX' as const, value: ttl } });

/**
 * `SET key token PX ttl NX`. node-redis takes `condition`; the `set` shape in client.ts lists only
 * `expiration`, and an object with more properties still fits it.
 */
const lockOption = (ttl: number) => ({ ...ttlOption(ttl), condition: 'NX' as const });

/** A {@link Store} on node-redis; see {@link nodeRedisStore}. */
class NodeRedisStore implements Store {
  readonly name = 'node-redis';
  readonly capabilities: StoreCapabilities;
  readonly #connection: Connection;
  readonly #client: NodeRedisClientOrCluster;
  readonly #cluster: boolean;
  readonly #prefix: string;
  readonly #scanCount: number;

  constructor(connection: Connection, scanCount: number) {
    this.#connection = connection;
    this.#client = connection.client;
    this.#cluster = isCluster(connection.client);
    this.#prefix = keyPrefixOf(connection.client);
    this.#scanCount = scanCount;
    this.capabilities = Object.freeze({
      patternDelete: true,
      atomicGuards: true,
      local: false,
      cluster: this.#cluster,
    });
  }

  async get(key: string): Promise<string | undefined> {
    await this.#connection.gate();
    return optionalString(await this.#client.get(key), 'GET');
  }

  async getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    await this.#connection.gate();
    const values = new Array<string | undefined>(keys.length).fill(undefined);
    const batches = batchKeys(keys, this.#cluster, this.#prefix);
    await Promise.all(
      batches.map(async ({ keys: batch, indexes }) => {
        const replies = optionalStrings(await this.#client.mGet(batch), 'MGET');
        indexes.forEach((index, i) => {
          values[index] = replies[i];
        });
      }),
    );
    return values;
  }

  async set(key: string, value: string, ttl: number): Promise<void> {
    await this.#connection.gate();
    await this.#client.set(key, value, ttlOption(ttl));
  }

  async setMany(entries: readonly StoreEntry[]): Promise<void> {
    await this.#connection.gate();
    // Commands issued in one tick go out in one write (node-redis batches them); a cluster routes
    // each to its master.
    await Promise.all(
      entries.map(({ key, value, ttl }) => this.#client.set(key, value, ttlOption(ttl))),
    );
  }

  async delete(keys: readonly string[]): Promise<number> {
    await this.#connection.gate();
    return this.#unlink(keys);
  }

  async deleteMatching(pattern: string): Promise<number> {
    await this.#connection.gate();
    return scanAndDelete(pattern, {
      client: this.#client,
      prefix: this.#prefix,
      count: this.#scanCount,
      unlink: (keys) => this.#unlink(keys),
    });
  }

  async bumpGenerations(keys: readonly string[], ttl: number): Promise<string[]> {
    await this.#connection.gate();
    const generations = new Array<string>(keys.length).fill(ABSENT_GENERATION);
    const batches = batchKeys(keys, this.#cluster, this.#prefix);
    await Promise.all(
      batches.map(async ({ keys: batch, indexes }) => {
        const reply = await runScript(this.#client, BUMP_GENERATIONS, batch, [String(ttl)]);
        const values = optionalStrings(reply, 'bumpGenerations script');
        indexes.forEach((index, i) => {
          generations[index] = requiredString(values[i], 'bumpGenerations script');
        });
      }),
    );
    return generations;
  }

  async invalidate(entries: readonly EntryGeneration[], generationTtl: number): Promise<number> {
    await this.#connection.gate();
    // An entry and its generation share a slot: batching by the entry's slot keeps pairs together.
    const batches = batchKeys(
      entries.map((entry) => entry.key),
      this.#cluster,
      this.#prefix,
    );
    const counts = await Promise.all(
      batches.map(async ({ indexes }) => {
        const keys = indexes.flatMap((index) => {
          const entry = entries[index] as EntryGeneration;
          return [entry.key, entry.generationKey];
        });
        return Number(await runScript(this.#client, INVALIDATE, keys, [String(generationTtl)]));
      }),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  async replace(
    key: string,
    value: string,
    ttl: number,
    generationKey: string,
    generationTtl: number,
  ): Promise<void> {
    await this.#connection.gate();
    await runScript(
      this.#client,
      REPLACE,
      [key, generationKey],
      [value, String(ttl), String(generationTtl)],
    );
  }

  async setIfGenerations(
    key: string,
    value: string,
    ttl: number,
    guards: readonly GenerationGuard[],
  ): Promise<boolean> {
    await this.#connection.gate();
    let atomic = guards;
    if (this.#cluster) {
      // A script may only touch keys of one slot: guards elsewhere are checked just before it.
      const slot = slotOf(key, this.#prefix);
      atomic = guards.filter((guard) => slotOf(guard.key, this.#prefix) === slot);
      const others = guards.filter((guard) => !atomic.includes(guard));
      if (others.length > 0 && !(await this.#holds(others))) return false;
    }
    const reply = await runScript(
      this.#client,
      SET_IF_GENERATIONS,
      [key, ...atomic.map((guard) => guard.key)],
      [value, String(ttl), ...atomic.map((guard) => guard.generation)],
    );
    return integer(reply, 'setIfGenerations script') === 1;
  }

  async acquireLock(key: string, token: string, ttl: number): Promise<boolean> {
    await this.#connection.gate();
    // 'OK' if set; nil (null) if the key exists.
    return optionalString(await this.#client.set(key, token, lockOption(ttl)), 'SET NX') === 'OK';
  }

  async releaseLock(key: string, token: string): Promise<boolean> {
    await this.#connection.gate();
    const reply = await runScript(this.#client, RELEASE_LOCK, [key], [token]);
    return integer(reply, 'releaseLock script') === 1;
  }

  async close(): Promise<void> {
    await this.#connection.close();
  }

  /** Whether every guard's key still holds its generation. */
  async #holds(guards: readonly GenerationGuard[]): Promise<boolean> {
    const current = await this.getMany(guards.map((guard) => guard.key));
    return guards.every((guard, i) => (current[i] ?? ABSENT_GENERATION) === guard.generation);
  }

  /** UNLINK in batches (one slot each on a cluster); resolves to how many keys existed. */
  async #unlink(keys: readonly string[]): Promise<number> {
    const batches = batchKeys(keys, this.#cluster, this.#prefix);
    const counts = await Promise.all(
      batches.map(async ({ keys: batch }) => integer(await this.#client.unlink(batch), 'UNLINK')),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }
}

/**
 * A cachekit {@link Store} on node-redis (`redis` 5 or 6), standalone or Cluster.
 *
 * ```ts
 * const store = nodeRedisStore({ client });              // your connected client; stays open
 * const store = nodeRedisStore({ url: process.env.REDIS_URL }); // created, closed by store.close()
 * const store = nodeRedisStore({ cluster: { rootNodes: [{ url: 'redis://10.0.0.1:7000' }] } });
 * ```
 *
 * Multi-key work is split by hash slot on a cluster; `deleteMatching` SCANs every master and
 * deletes with UNLINK; generations, guarded writes and lock releases run as Lua scripts (EVALSHA,
 * falling back to EVAL after a `SCRIPT FLUSH` or restart); a lock is taken with `SET NX PX`.
 */
export function nodeRedisStore(options: NodeRedisStoreOptions): Store {
  const scanCount = resolveScanCount(options ?? {});
  return new NodeRedisStore(connect(options), scanCount);
}

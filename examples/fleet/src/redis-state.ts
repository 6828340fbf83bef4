import type { Redis } from 'ioredis';
import { type MinerConfig, type MinerInfo, type MinerStatus, seedMiner } from './fleet-model.js';
import { byId, type FleetState, type MinerRecord } from './shared-state.js';

/** Keys of the fleet's state under `prefix` (hashes of JSON by miner id, and the ticker lease). */
export function stateKeys(prefix: string): {
  miners: string;
  status: string;
  config: string;
  ticker: string;
} {
  return {
    miners: `${prefix}:miners`,
    status: `${prefix}:status`,
    config: `${prefix}:config`,
    ticker: `${prefix}:ticker`,
  };
}

// Writes a config only for a miner that exists.
const PUT_CONFIG = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) return 1 end
return 0`;
// Takes the lease if free, renews it if held by ARGV[1].
const LEAD = `if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;

const parse = <T>(text: string | null | undefined): T | undefined =>
  text === null || text === undefined ? undefined : (JSON.parse(text) as T);

/**
 * The fleet in Redis, shared by every instance on that Redis: three hashes under `prefix`
 * (`<prefix>:miners`, `:status`, `:config`), apart from the cache's keys. The client is yours.
 */
export function redisState(
  client: Redis,
  prefix: string,
  ids: readonly string[],
  now: () => Date = () => new Date(),
): FleetState {
  const keys = stateKeys(prefix);
  return {
    kind: 'redis',
    async init() {
      const pipeline = client.pipeline();
      ids.forEach((id, index) => {
        const seed = seedMiner(id, index, now());
        pipeline.hsetnx(keys.miners, id, JSON.stringify(seed.info));
        pipeline.hsetnx(keys.status, id, JSON.stringify(seed.status));
        pipeline.hsetnx(keys.config, id, JSON.stringify(seed.config));
      });
      for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    },
    async miners(): Promise<MinerInfo[]> {
      const all = await client.hvals(keys.miners);
      return byId(all.map((text) => JSON.parse(text) as MinerInfo));
    },
    async records(wanted): Promise<Array<MinerRecord | undefined>> {
      if (wanted.length === 0) return [];
      const [infos, statuses, configs] = await Promise.all([
        client.hmget(keys.miners, ...wanted),
        client.hmget(keys.status, ...wanted),
        client.hmget(keys.config, ...wanted),
      ]);
      return wanted.map((_, i) => {
        const info = parse<MinerInfo>(infos[i]);
        const status = parse<MinerStatus>(statuses[i]);
        const config = parse<MinerConfig>(configs[i]);
        return info && status && config ? { info, status, config } : undefined;
      });
    },
    async statuses(): Promise<MinerStatus[]> {
      const all = await client.hvals(keys.status);
      return byId(all.map((text) => JSON.parse(text) as MinerStatus));
    },
    async configs(): Promise<Map<string, MinerConfig>> {
      const all = await client.hgetall(keys.config);
      return new Map(Object.entries(all).map(([id, text]) => [id, JSON.parse(text)]));
    },
    async putStatuses(statuses) {
      if (statuses.length === 0) return;
      await client.hset(
        keys.status,
        ...statuses.flatMap((status) => [status.id, JSON.stringify(status)]),
      );
    },
    async putConfig(id, config) {
      const written = await client.eval(
        PUT_CONFIG,
        2,
        keys.miners,
        keys.config,
        id,
        JSON.stringify(config),
      );
      return written === 1;
    },
    async lead(holder, ttlMs) {
      return (await client.eval(LEAD, 1, keys.ticker, holder, String(ttlMs))) === 1;
    },
  };
}

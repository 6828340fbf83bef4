import type { MinerConfig, MinerInfo, MinerStatus } from './fleet-model.js';

/** Everything the fleet knows about one miner. */
export interface MinerRecord {
  info: MinerInfo;
  status: MinerStatus;
  config: MinerConfig;
}

/**
 * The fleet's source of truth (the "devices"), shared by every instance: in Redis under its own
 * key prefix when the demo runs on Redis (never in the cache's keys), in this process otherwise.
 * No latency here: {@link FleetSource} adds it, as a remote backend would.
 */
export interface FleetState {
  readonly kind: 'memory' | 'redis';
  /** Creates the miners that do not exist yet (idempotent; safe when instances start together). */
  init(): Promise<void>;
  /** Every miner, sorted by id. */
  miners(): Promise<MinerInfo[]>;
  /** The records of `ids`, `undefined` for unknown ids. */
  records(ids: readonly string[]): Promise<Array<MinerRecord | undefined>>;
  /** Every miner's status, sorted by id. */
  statuses(): Promise<MinerStatus[]>;
  /** Every miner's config, by id. */
  configs(): Promise<Map<string, MinerConfig>>;
  /** Replaces the statuses of the miners they name (unknown ids are ignored). */
  putStatuses(statuses: readonly MinerStatus[]): Promise<void>;
  /** Replaces one miner's config. Resolves to false (and writes nothing) for an unknown id. */
  putConfig(id: string, config: MinerConfig): Promise<boolean>;
  /**
   * Takes or renews the simulation lease for `ttlMs`: true while `holder` is the one instance
   * that runs the ticker, so that N instances change the fleet at the pace of one.
   */
  lead(holder: string, ttlMs: number): Promise<boolean>;
}

/** Sorts by id, the order every listing uses. */
export function byId<T extends { id: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

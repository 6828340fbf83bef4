import type { Cache } from '@cachekit/core';
import { CONFIG_UPDATED, FLEET_TAG } from './cache-policies.js';
import { ConfigNotInvalidatedError } from './errors.js';
import type { FleetBus } from './fleet-bus.js';
import type { MinerConfig } from './fleet-model.js';
import type { FleetSource } from './fleet-source.js';

/** Writes a miner's config through the source and the caches: one path for `PUT` and the MCP tool. */
export type ConfigWriter = (minerId: string, config: MinerConfig) => Promise<MinerConfig>;

/** What {@link configWriter} works on. */
export interface ConfigWriterOptions {
  readonly source: FleetSource;
  /** The cache whose event and tag invalidations reach every namespace (HTTP and MCP). */
  readonly cache: Cache;
  readonly fleetBus: FleetBus;
  /** Re-caches the `GET` response of the new config (best effort). */
  readonly rewarm: (minerId: string) => Promise<void>;
  /** Told when the SSE announcement fails (the write itself succeeded). */
  readonly onAnnounceError: (error: unknown) => void;
}

/**
 * Write-through: the source first (an unknown miner rejects with `UnknownMinerError`, nothing
 * else happens); then every instance's cached configs (the `miner.config.updated` event) and the
 * summary (the `fleet` tag) are invalidated, in every namespace of the cache; then SSE clients
 * are told through the bus and the `GET` response is cached again. A failed invalidation rejects
 * with {@link ConfigNotInvalidatedError} (the config was written: retry).
 */
export function configWriter(options: ConfigWriterOptions): ConfigWriter {
  const { source, cache, fleetBus, rewarm, onAnnounceError } = options;
  return async (minerId, config) => {
    const stored = await source.writeConfig(minerId, config);
    try {
      await cache.handleEvent(CONFIG_UPDATED, { minerId });
      await cache.invalidateTags([FLEET_TAG]);
    } catch (error) {
      throw new ConfigNotInvalidatedError(minerId, error);
    }
    await fleetBus.publishConfig({ minerId, config: stored }).catch(onAnnounceError);
    await rewarm(minerId).catch(() => undefined);
    return stored;
  };
}

import {
  definePolicy,
  EPHEMERAL,
  EVENT_DRIVEN,
  MODERATE,
  type Policy,
  STABLE,
} from '@cachekit/core';

/** The event that invalidates every cached miner config, in every instance. */
export const CONFIG_UPDATED = 'miner.config.updated';
/** Tag of everything computed over the whole fleet (the summary): dropped when a config changes. */
export const FLEET_TAG = 'fleet';
/** Tag of one miner's entries. */
export const minerTag = (minerId: string): string => `miner:${minerId}`;

/** `GET /miners`: MODERATE (2 min). */
export const MINERS_POLICY: Policy = MODERATE;
/** `GET /miners/:minerId/status`: EPHEMERAL (10 s). */
export const STATUS_POLICY: Policy = EPHEMERAL;
/** `GET /fleet/summary`: EPHEMERAL, 30 s, tagged `fleet`. */
export const SUMMARY_POLICY: Policy = definePolicy(EPHEMERAL, { ttl: '30s' });
/** `GET /miners/:minerId/config`: EVENT_DRIVEN on `miner.config.updated`, 5 min fallback TTL. */
export const CONFIG_POLICY: Policy = definePolicy(EVENT_DRIVEN, {
  ttl: '5m',
  invalidateOn: [CONFIG_UPDATED],
});
/** `GET /firmware/versions`: STABLE, 1 h. */
export const FIRMWARE_POLICY: Policy = definePolicy(STABLE, { ttl: '1h' });

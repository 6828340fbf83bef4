/** Scheme and host part of every resource of the fleet demo. */
const BASE = 'braiins://';

/** `braiins:///miner/{minerId}/status`: one miner's live status (EPHEMERAL, subscribable). */
export const STATUS_TEMPLATE: string = `${BASE}/miner/{minerId}/status`;
/** `braiins:///miner/{minerId}/config`: one miner's config (EVENT_DRIVEN). */
export const CONFIG_TEMPLATE: string = `${BASE}/miner/{minerId}/config`;
/** The fleet summary, dropped when any config changes (tag `fleet`). */
export const SUMMARY_URI: string = `${BASE}/fleet/summary`;
/** The firmware releases (STABLE). */
export const FIRMWARE_URI: string = `${BASE}/firmware/versions`;

/** A miner id as the fleet names them (`m-001`): what template variables are checked against. */
export const MINER_ID: RegExp = /^[A-Za-z0-9_.-]{1,64}$/;

/** The status resource of a miner. */
export const statusUri = (minerId: string): string =>
  `${BASE}/miner/${encodeURIComponent(minerId)}/status`;

/** The config resource of a miner. */
export const configUri = (minerId: string): string =>
  `${BASE}/miner/${encodeURIComponent(minerId)}/config`;

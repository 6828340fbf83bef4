import { isDeepStrictEqual } from 'node:util';
import { type MinerStatus, makeMinerStatus } from '../contenders/json-value.js';

/** A worker's source: the 1 KB miner status of `key`, at `version`. */
export interface VersionedStatus extends MinerStatus {
  readonly version: number;
}

/** Built once: the nested parts are shared by every value (treated as immutable). */
const BASE: MinerStatus = makeMinerStatus();

/** What the source holds for `key` at `version`: a new object each call. */
export function valueFor(key: string, version: number): VersionedStatus {
  return { ...BASE, id: key, version };
}

/** The version of a value read back if it is exactly what {@link valueFor} made, else -1. */
export function versionOf(key: string, value: unknown): number {
  if (typeof value !== 'object' || value === null) return -1;
  const version = (value as { version?: unknown }).version;
  if (typeof version !== 'number') return -1;
  return isDeepStrictEqual(value, valueFor(key, version)) ? version : -1;
}

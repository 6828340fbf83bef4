import {
  configVersion,
  type FleetConfig,
  fleetMinerIds,
  INITIAL_POOLS,
  MixedFleetSource,
  seedStatus,
  versionedConfig,
} from '../processes/mixed-source.js';
import { seededRandom, zipfDrawer } from './seeded-zipf.js';

/** Miners in the fleet (issue 6: "Zipf over 1,000 miners"). */
export const MINERS = 1_000;
/** Exponent of the Zipf distribution of miner ids (issue 6, as B2's: s ≈ 1.1). */
export const ZIPF_EXPONENT = 1.1;

/** What one request of the mix does. */
export const RequestKind: {
  readonly Status: 0;
  readonly Config: 1;
  readonly Summary: 2;
  readonly Put: 3;
} = { Status: 0, Config: 1, Summary: 2, Put: 3 };

/** Share of each kind: 95 % reads (status, config, summary), 5 % config writes (issue 6). */
export const MIX: Readonly<Record<'status' | 'config' | 'summary' | 'put', number>> = {
  status: 0.55,
  config: 0.3,
  summary: 0.1,
  put: 0.05,
};

const SEED = 0x6d_69_78_31;

/** The requests of a burst, in order: a kind and a miner (index) each. */
export interface RequestPlan {
  readonly kinds: Uint8Array;
  readonly miners: Uint16Array;
}

/**
 * `length` requests drawn with {@link MIX}, each on a miner drawn Zipf (s = {@link
 * ZIPF_EXPONENT}) over {@link MINERS}, the ranks shuffled onto the miners (the hottest is not
 * m-0001). Deterministic: every contender's every burst sends this sequence.
 */
export function requestPlan(length: number): RequestPlan {
  const random = seededRandom(SEED);
  const drawMiner = zipfDrawer(MINERS, ZIPF_EXPONENT, random);
  const kinds = new Uint8Array(length);
  const miners = new Uint16Array(length);
  for (let i = 0; i < length; i++) {
    const u = random();
    kinds[i] =
      u < MIX.status
        ? RequestKind.Status
        : u < MIX.status + MIX.config
          ? RequestKind.Config
          : u < 1 - MIX.put
            ? RequestKind.Summary
            : RequestKind.Put;
    miners[i] = drawMiner();
  }
  return { kinds, miners };
}

/** What every response must be, precomputed (the parent knows the fleet's seed). */
export interface FleetTruth {
  readonly ids: readonly string[];
  readonly statusPaths: readonly string[];
  readonly configPaths: readonly string[];
  /** The exact body of each miner's status (statuses never change in this run). */
  readonly statusBodies: readonly string[];
  /** The start of every summary body, up to the part config writes change. */
  readonly summaryPrefix: string;
}

/** The fleet's truth for {@link MINERS} miners. */
export async function fleetTruth(): Promise<FleetTruth> {
  const ids = fleetMinerIds(MINERS);
  const summary = JSON.stringify(await new MixedFleetSource(MINERS, 0, 0).summary());
  return {
    ids,
    statusPaths: ids.map((id) => `/miners/${id}/status`),
    configPaths: ids.map((id) => `/miners/${id}/config`),
    statusBodies: ids.map((id, index) => JSON.stringify(seedStatus(id, index))),
    summaryPrefix: summary.slice(0, summary.indexOf('"totalPowerTargetW"')),
  };
}

/**
 * The config writes one contender's server has seen, per miner: the next version to write, the
 * newest one acknowledged (a GET sent after that must show it or a newer one), and whether a
 * write is in flight (the load never sends two writes of one miner at once, so that "newest" is
 * well defined).
 */
export class WriteTracker {
  readonly written: Int32Array = new Int32Array(MINERS);
  readonly acked: Int32Array = new Int32Array(MINERS);
  readonly inFlight: Uint8Array = new Uint8Array(MINERS);

  /** The next config of miner `index` and its version (marks a write in flight). */
  nextWrite(index: number): { config: FleetConfig; version: number } {
    const version = (this.written[index] as number) + 1;
    this.written[index] = version;
    this.inFlight[index] = 1;
    return { config: versionedConfig(index, version), version };
  }

  /** A write of `version` was answered 200. */
  acknowledge(index: number, version: number): void {
    this.inFlight[index] = 0;
    if (version > (this.acked[index] as number)) this.acked[index] = version;
  }

  /** After a burst: nothing is in flight any more (a request built but never sent included). */
  settle(): void {
    this.inFlight.fill(0);
  }
}

/**
 * Checks a `GET /miners/:id/config` body of miner `index`: its version, or a description of what
 * is wrong (not JSON, another miner's pool, a version never written).
 */
export function readConfigVersion(
  body: string,
  index: number,
  tracker: WriteTracker,
): number | string {
  let config: FleetConfig;
  try {
    config = JSON.parse(body) as FleetConfig;
  } catch {
    return `not JSON: ${body.slice(0, 60)}`;
  }
  if (config.poolUrl !== INITIAL_POOLS[index % INITIAL_POOLS.length]) {
    return `another miner's config: ${body.slice(0, 80)}`;
  }
  const version = configVersion(config);
  if (version < 0 || version > (tracker.written[index] as number)) {
    return `a config never written (version ${version}): ${body.slice(0, 80)}`;
  }
  return version;
}

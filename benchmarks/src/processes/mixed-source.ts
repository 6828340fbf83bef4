import { setTimeout as sleep } from 'node:timers/promises';
import type { MixedSourceCalls } from './mixed-protocol.js';

/** A miner's live status, as the fleet demo's `GET /miners/:minerId/status` answers it. */
export interface FleetStatus {
  id: string;
  hashrateTHs: number;
  temperatureC: number;
  fanSpeedRpm: number;
  online: boolean;
  updatedAt: string;
}

/** A miner's writable config (`GET` and `PUT /miners/:minerId/config`), as in the fleet demo. */
export interface FleetConfig {
  poolUrl: string;
  powerTargetW: number;
  fanMode: 'auto' | 'manual' | 'immersion';
}

/** `GET /fleet/summary`, as in the fleet demo. */
export interface FleetSummary {
  miners: number;
  online: number;
  totalHashrateTHs: number;
  averageTemperatureC: number;
  totalPowerTargetW: number;
  fanModes: Record<FleetConfig['fanMode'], number>;
  pools: Record<string, number>;
  computedAt: string;
}

/** The pools of the initial configs (a written config names its own). */
export const INITIAL_POOLS: readonly string[] = [
  'stratum+tcp://eu.pool.example:3333',
  'stratum+tcp://us.pool.example:3333',
];

/** Miner ids of a fleet of `count`, as the demo names them: `m-0001`... for 1,000. */
export function fleetMinerIds(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `m-${String(i + 1).padStart(width, '0')}`);
}

/** The status of miner `index` (deterministic: the parent computes the same to check bodies). */
export function seedStatus(id: string, index: number): FleetStatus {
  const online = index % 33 !== 32;
  return {
    id,
    hashrateTHs: online ? 140 + (index % 60) + 0.5 : 0,
    temperatureC: 58 + (index % 14) + 0.25,
    fanSpeedRpm: online ? 4200 + ((index * 37) % 1800) : 0,
    online,
    updatedAt: '2025-01-01T00:00:00.000Z',
  };
}

/** Fan modes, in the order {@link configVersion} counts them. */
export const FAN_MODES: readonly FleetConfig['fanMode'][] = ['auto', 'manual', 'immersion'];
/** `powerTargetW` runs from 1000 W, the demo's lower bound, through 5000 more. */
const POWER_MIN_W = 1000;
const POWER_STEPS = 5001;

/**
 * The `n`th config written to miner `index` (0: its initial config): the pool stays the miner's,
 * `powerTargetW` and `fanMode` encode `n`, so that a response tells which write it shows
 * ({@link configVersion}) while the summary keeps two pools. Unique for n < 15,003 per miner.
 */
export function versionedConfig(index: number, n: number): FleetConfig {
  return {
    poolUrl: INITIAL_POOLS[index % INITIAL_POOLS.length] ?? '',
    powerTargetW: POWER_MIN_W + (n % POWER_STEPS),
    fanMode: FAN_MODES[Math.floor(n / POWER_STEPS) % FAN_MODES.length] ?? 'auto',
  };
}

/** Which write of {@link versionedConfig} a config is (-1: not one of them). */
export function configVersion(config: FleetConfig): number {
  const fan = FAN_MODES.indexOf(config.fanMode);
  const step = config.powerTargetW - POWER_MIN_W;
  if (fan < 0 || !Number.isInteger(step) || step < 0 || step >= POWER_STEPS) return -1;
  return fan * POWER_STEPS + step;
}

/** The initial config of miner `index` (deterministic): version 0. */
export function seedConfig(index: number): FleetConfig {
  return versionedConfig(index, 0);
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

/**
 * The fleet demo's slow backend, reimplemented in process (its `FleetSource` over the memory
 * state): every call waits a uniform `latencyMinMs`-`latencyMaxMs` and is counted; statuses do not
 * change on their own (no simulator), so responses can be checked exactly. The summary is computed
 * over every miner, as the demo's.
 */
export class MixedFleetSource {
  readonly calls: { -readonly [K in keyof MixedSourceCalls]: number } = {
    status: 0,
    config: 0,
    writeConfig: 0,
    summary: 0,
  };
  readonly #statuses = new Map<string, FleetStatus>();
  readonly #configs = new Map<string, FleetConfig>();
  readonly #min: number;
  readonly #spread: number;

  constructor(miners: number, latencyMinMs: number, latencyMaxMs: number) {
    fleetMinerIds(miners).forEach((id, index) => {
      this.#statuses.set(id, seedStatus(id, index));
      this.#configs.set(id, seedConfig(index));
    });
    this.#min = latencyMinMs;
    this.#spread = Math.max(0, latencyMaxMs - latencyMinMs);
  }

  /** Undefined for an unknown miner (the route answers 404). */
  async status(id: string): Promise<FleetStatus | undefined> {
    await this.#call('status');
    const status = this.#statuses.get(id);
    return status === undefined ? undefined : { ...status };
  }

  async config(id: string): Promise<FleetConfig | undefined> {
    await this.#call('config');
    const config = this.#configs.get(id);
    return config === undefined ? undefined : { ...config };
  }

  /** Replaces a miner's config; resolves to what was stored, or undefined for an unknown miner. */
  async writeConfig(id: string, config: FleetConfig): Promise<FleetConfig | undefined> {
    await this.#call('writeConfig');
    if (!this.#configs.has(id)) return undefined;
    const stored: FleetConfig = {
      poolUrl: config.poolUrl,
      powerTargetW: config.powerTargetW,
      fanMode: config.fanMode,
    };
    this.#configs.set(id, stored);
    return { ...stored };
  }

  async summary(): Promise<FleetSummary> {
    await this.#call('summary');
    const fanModes: FleetSummary['fanModes'] = { auto: 0, manual: 0, immersion: 0 };
    const pools: Record<string, number> = {};
    let totalPowerTargetW = 0;
    for (const config of this.#configs.values()) {
      fanModes[config.fanMode]++;
      pools[config.poolUrl] = (pools[config.poolUrl] ?? 0) + 1;
      totalPowerTargetW += config.powerTargetW;
    }
    let online = 0;
    let hashrate = 0;
    let temperature = 0;
    for (const status of this.#statuses.values()) {
      if (!status.online) continue;
      online++;
      hashrate += status.hashrateTHs;
      temperature += status.temperatureC;
    }
    return {
      miners: this.#statuses.size,
      online,
      totalHashrateTHs: round1(hashrate),
      averageTemperatureC: online === 0 ? 0 : round1(temperature / online),
      totalPowerTargetW,
      fanModes,
      pools,
      computedAt: new Date().toISOString(),
    };
  }

  #call(operation: keyof MixedSourceCalls): Promise<unknown> {
    this.calls[operation]++;
    return sleep(this.#min + Math.random() * this.#spread);
  }
}

/** Static facts about one miner. */
export interface MinerInfo {
  id: string;
  name: string;
  model: string;
  rack: string;
  firmware: string;
}

/** Live status of one miner, as the device reports it. */
export interface MinerStatus {
  id: string;
  hashrateTHs: number;
  temperatureC: number;
  fanSpeedRpm: number;
  online: boolean;
  /** ISO 8601 time of the last change. */
  updatedAt: string;
}

/** How a miner drives its fans. */
export type FanMode = 'auto' | 'manual' | 'immersion';

/** The writable config of one miner (`GET` and `PUT /miners/:minerId/config`). */
export interface MinerConfig {
  poolUrl: string;
  powerTargetW: number;
  fanMode: FanMode;
}

/** One firmware release. */
export interface FirmwareVersion {
  version: string;
  channel: 'stable' | 'beta';
  releasedAt: string;
  models: string[];
}

/** `GET /fleet/summary`. */
export interface FleetSummary {
  miners: number;
  online: number;
  totalHashrateTHs: number;
  averageTemperatureC: number;
  totalPowerTargetW: number;
  fanModes: Record<FanMode, number>;
  pools: Record<string, number>;
  computedAt: string;
}

export const FAN_MODES: readonly FanMode[] = ['auto', 'manual', 'immersion'];
/** Bounds of `powerTargetW`, checked by the PUT route's schema. */
export const POWER_TARGET_RANGE: { readonly min: number; readonly max: number } = {
  min: 1000,
  max: 6000,
};

const MODELS = [
  { name: 'Antminer S21', nominalTHs: 200, nominalW: 3500 },
  { name: 'Antminer S19 XP', nominalTHs: 140, nominalW: 3010 },
  { name: 'Whatsminer M60S', nominalTHs: 186, nominalW: 3350 },
] as const;
const POOLS = ['stratum+tcp://eu.pool.example:3333', 'stratum+tcp://us.pool.example:3333'];

export const FIRMWARE: readonly FirmwareVersion[] = Object.freeze([
  { version: '24.09', channel: 'stable', releasedAt: '2024-09-12', models: ['Antminer S19 XP'] },
  {
    version: '25.01',
    channel: 'stable',
    releasedAt: '2025-01-20',
    models: MODELS.map((m) => m.name),
  },
  { version: '25.03-beta', channel: 'beta', releasedAt: '2025-03-04', models: ['Antminer S21'] },
]);

/** Miner ids of a fleet of `count`: `m-001`, `m-002`, ... */
export function minerIds(count: number): string[] {
  const width = Math.max(3, String(count).length);
  return Array.from({ length: count }, (_, i) => `m-${String(i + 1).padStart(width, '0')}`);
}

/** A small deterministic PRNG (mulberry32), so every instance seeds the same fleet. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const round = (value: number, digits: number): number => Number(value.toFixed(digits));
const modelOf = (info: Pick<MinerInfo, 'model'>) =>
  MODELS.find((m) => m.name === info.model) ?? MODELS[0];

/** The initial state of miner number `index` (0-based) with id `id`: the same in every process. */
export function seedMiner(
  id: string,
  index: number,
  now: Date,
): { info: MinerInfo; config: MinerConfig; status: MinerStatus } {
  const random = seededRandom(index + 1);
  const model = MODELS[index % MODELS.length] ?? MODELS[0];
  const info: MinerInfo = {
    id,
    name: `Miner ${id.slice(2)}`,
    model: model.name,
    rack: `R${Math.floor(index / 20) + 1}-${(index % 20) + 1}`,
    firmware: index % 7 === 0 ? '24.09' : '25.01',
  };
  const config: MinerConfig = {
    poolUrl: POOLS[index % POOLS.length] ?? POOLS[0] ?? '',
    powerTargetW: model.nominalW,
    fanMode: index % 10 === 9 ? 'immersion' : 'auto',
  };
  const status: MinerStatus = {
    id,
    hashrateTHs: round(model.nominalTHs * (0.95 + random() * 0.08), 1),
    temperatureC: round(58 + random() * 14, 1),
    fanSpeedRpm: config.fanMode === 'immersion' ? 0 : Math.round(4200 + random() * 1800),
    online: random() > 0.03,
    updatedAt: now.toISOString(),
  };
  if (!status.online) Object.assign(status, { hashrateTHs: 0, fanSpeedRpm: 0 });
  return { info, config, status };
}

/** The next status of a miner: a random walk around what its model and power target allow. */
export function nextStatus(
  previous: MinerStatus,
  info: Pick<MinerInfo, 'model'>,
  config: MinerConfig,
  random: () => number,
  now: Date,
): MinerStatus {
  const model = modelOf(info);
  const online = previous.online ? random() > 0.02 : random() > 0.6;
  if (!online) {
    return {
      ...previous,
      online,
      hashrateTHs: 0,
      fanSpeedRpm: 0,
      temperatureC: round(Math.max(25, previous.temperatureC - 4 - random() * 4), 1),
      updatedAt: now.toISOString(),
    };
  }
  const target = model.nominalTHs * (config.powerTargetW / model.nominalW);
  const temperatureC = round(
    Math.min(95, Math.max(45, previous.temperatureC + (random() - 0.5) * 3)),
    1,
  );
  const fanSpeedRpm =
    config.fanMode === 'immersion'
      ? 0
      : Math.round(3000 + (temperatureC - 45) * 70 + (random() - 0.5) * 300);
  return {
    id: previous.id,
    online,
    hashrateTHs: round(target * (0.93 + random() * 0.1), 1),
    temperatureC,
    fanSpeedRpm,
    updatedAt: now.toISOString(),
  };
}

/** Summarises the fleet from every miner's status and config. */
export function summarize(
  statuses: readonly MinerStatus[],
  configs: ReadonlyMap<string, MinerConfig>,
  now: Date,
): FleetSummary {
  const fanModes: Record<FanMode, number> = { auto: 0, manual: 0, immersion: 0 };
  const pools: Record<string, number> = {};
  let totalPowerTargetW = 0;
  for (const config of configs.values()) {
    fanModes[config.fanMode]++;
    pools[config.poolUrl] = (pools[config.poolUrl] ?? 0) + 1;
    totalPowerTargetW += config.powerTargetW;
  }
  const online = statuses.filter((s) => s.online);
  const hashrate = online.reduce((sum, s) => sum + s.hashrateTHs, 0);
  const temperature = online.reduce((sum, s) => sum + s.temperatureC, 0);
  return {
    miners: statuses.length,
    online: online.length,
    totalHashrateTHs: round(hashrate, 1),
    averageTemperatureC: online.length === 0 ? 0 : round(temperature / online.length, 1),
    totalPowerTargetW,
    fanModes,
    pools,
    computedAt: now.toISOString(),
  };
}

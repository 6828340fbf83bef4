/** A miner's status as a source would return it: nested objects, arrays, numbers and strings. */
export interface MinerStatus {
  readonly id: string;
  readonly model: string;
  readonly site: string;
  readonly state: string;
  readonly updatedAt: string;
  readonly hashrateThs: number;
  readonly powerWatts: number;
  readonly fansRpm: readonly number[];
  readonly boards: readonly {
    readonly slot: number;
    readonly chips: number;
    readonly temperatureC: number;
    readonly hashrateThs: number;
    readonly healthy: boolean;
  }[];
}

/**
 * A fresh, deterministic object whose JSON is `bytes` long or a little longer (boards are added
 * until it is): the "1 KB JSON object" of the scenarios.
 */
export function makeMinerStatus(bytes = 1024): MinerStatus {
  const boards: MinerStatus['boards'][number][] = [];
  const status = (): MinerStatus => ({
    id: 'miner-0042',
    model: 'S19j Pro',
    site: 'eu-west-rack-07',
    state: 'hashing',
    updatedAt: '2026-01-01T00:00:00.000Z',
    hashrateThs: 104.5,
    powerWatts: 3068,
    fansRpm: [5880, 5910, 5860, 5940],
    boards,
  });
  let slot = 0;
  while (JSON.stringify(status()).length < bytes) {
    boards.push({
      slot,
      chips: 126,
      temperatureC: 61.5 + slot,
      hashrateThs: 34.8 + slot / 10,
      healthy: slot % 7 !== 6,
    });
    slot++;
  }
  return status();
}

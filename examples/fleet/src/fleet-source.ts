import { UnknownMinerError } from './errors.js';
import {
  FIRMWARE,
  type FirmwareVersion,
  type FleetSummary,
  type MinerConfig,
  type MinerInfo,
  type MinerStatus,
  summarize,
} from './fleet-model.js';
import type { FleetState } from './shared-state.js';

/** The operations of the (simulated) fleet backend, each counted in {@link FleetSource.calls}. */
export type SourceCall =
  | 'miners'
  | 'status'
  | 'statuses'
  | 'config'
  | 'writeConfig'
  | 'summary'
  | 'firmware';

/**
 * The slow backend the cache stands in front of (a gRPC fleet manager in real life): every call
 * waits about `latencyMs` (±20 %) and is counted, so that the dashboard and the tests can see what
 * the cache saves. Counts are this instance's own.
 */
export class FleetSource {
  readonly calls: Record<SourceCall, number> = {
    miners: 0,
    status: 0,
    statuses: 0,
    config: 0,
    writeConfig: 0,
    summary: 0,
    firmware: 0,
  };
  readonly state: FleetState;
  readonly latencyMs: number;

  constructor(state: FleetState, latencyMs: number) {
    this.state = state;
    this.latencyMs = latencyMs;
  }

  /** Every call so far, all operations together. */
  get totalCalls(): number {
    return Object.values(this.calls).reduce((sum, n) => sum + n, 0);
  }

  async miners(): Promise<MinerInfo[]> {
    await this.#call('miners');
    return this.state.miners();
  }

  /** Rejects with {@link UnknownMinerError} for an id the fleet does not have. */
  async status(id: string): Promise<MinerStatus> {
    await this.#call('status');
    const [record] = await this.state.records([id]);
    if (record === undefined) throw new UnknownMinerError(id);
    return record.status;
  }

  /** Every miner's status at once (the dashboard's first picture). */
  async statuses(): Promise<MinerStatus[]> {
    await this.#call('statuses');
    return this.state.statuses();
  }

  async config(id: string): Promise<MinerConfig> {
    await this.#call('config');
    const [record] = await this.state.records([id]);
    if (record === undefined) throw new UnknownMinerError(id);
    return record.config;
  }

  /** Replaces a miner's config; resolves to what the backend stored. */
  async writeConfig(id: string, config: MinerConfig): Promise<MinerConfig> {
    await this.#call('writeConfig');
    const stored: MinerConfig = {
      poolUrl: config.poolUrl,
      powerTargetW: config.powerTargetW,
      fanMode: config.fanMode,
    };
    if (!(await this.state.putConfig(id, stored))) throw new UnknownMinerError(id);
    return stored;
  }

  async summary(): Promise<FleetSummary> {
    await this.#call('summary');
    const [statuses, configs] = await Promise.all([this.state.statuses(), this.state.configs()]);
    return summarize(statuses, configs, new Date());
  }

  async firmware(): Promise<FirmwareVersion[]> {
    await this.#call('firmware');
    return FIRMWARE.map((release) => ({ ...release, models: [...release.models] }));
  }

  #call(operation: SourceCall): Promise<void> {
    this.calls[operation]++;
    const ms = this.latencyMs * (0.8 + Math.random() * 0.4);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }
}

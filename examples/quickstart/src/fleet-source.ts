/** Config of one miner, as the (simulated) fleet backend stores it. */
export interface MinerConfig {
  pool: string;
  powerTargetWatts: number;
}

/** Live status of one miner. */
export interface MinerStatus {
  id: string;
  hashrateTHs: number;
  online: boolean;
}

/**
 * A stand-in for a slow gRPC backend: every call waits `latencyMs` and is counted, so the
 * quickstart can show what the cache saves.
 */
export class FleetSource {
  readonly calls: Record<'status' | 'config' | 'writeConfig' | 'summary', number> = {
    status: 0,
    config: 0,
    writeConfig: 0,
    summary: 0,
  };
  readonly #configs = new Map<string, MinerConfig>();
  readonly #latencyMs: number;

  constructor(minerIds: readonly string[], latencyMs = 50) {
    this.#latencyMs = latencyMs;
    for (const id of minerIds)
      this.#configs.set(id, { pool: 'stratum+tcp://pool-a:3333', powerTargetWatts: 3250 });
  }

  get minerIds(): string[] {
    return [...this.#configs.keys()];
  }

  async status(id: string): Promise<MinerStatus> {
    this.calls.status++;
    await this.#delay();
    return { id, hashrateTHs: 100 + id.length, online: true };
  }

  async config(id: string): Promise<MinerConfig> {
    this.calls.config++;
    await this.#delay();
    const config = this.#configs.get(id);
    if (config === undefined) throw new Error(`unknown miner ${id}`);
    return { ...config };
  }

  async writeConfig(id: string, config: MinerConfig): Promise<MinerConfig> {
    this.calls.writeConfig++;
    await this.#delay();
    if (!this.#configs.has(id)) throw new Error(`unknown miner ${id}`);
    this.#configs.set(id, { ...config });
    return { ...config };
  }

  async summary(): Promise<{ miners: number; totalPowerWatts: number }> {
    this.calls.summary++;
    await this.#delay();
    let totalPowerWatts = 0;
    for (const config of this.#configs.values()) totalPowerWatts += config.powerTargetWatts;
    return { miners: this.#configs.size, totalPowerWatts };
  }

  #delay(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.#latencyMs));
  }
}

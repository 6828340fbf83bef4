import { type MinerConfig, type MinerInfo, type MinerStatus, seedMiner } from './fleet-model.js';
import { byId, type FleetState, type MinerRecord } from './shared-state.js';

/** The fleet held in this process: for a single instance without Redis. */
export function memoryState(
  ids: readonly string[],
  now: () => Date = () => new Date(),
): FleetState {
  const records = new Map<string, MinerRecord>();
  const copy = (record: MinerRecord): MinerRecord => ({
    info: { ...record.info },
    status: { ...record.status },
    config: { ...record.config },
  });
  return {
    kind: 'memory',
    async init() {
      ids.forEach((id, index) => {
        if (!records.has(id)) records.set(id, seedMiner(id, index, now()));
      });
    },
    async miners(): Promise<MinerInfo[]> {
      return byId([...records.values()].map((r) => ({ ...r.info })));
    },
    async records(wanted) {
      return wanted.map((id) => {
        const record = records.get(id);
        return record === undefined ? undefined : copy(record);
      });
    },
    async statuses(): Promise<MinerStatus[]> {
      return byId([...records.values()].map((r) => ({ ...r.status })));
    },
    async configs(): Promise<Map<string, MinerConfig>> {
      return new Map([...records].map(([id, r]) => [id, { ...r.config }]));
    },
    async putStatuses(statuses) {
      for (const status of statuses) {
        const record = records.get(status.id);
        if (record !== undefined) record.status = { ...status };
      }
    },
    async putConfig(id, config) {
      const record = records.get(id);
      if (record === undefined) return false;
      record.config = { ...config };
      return true;
    },
    async lead() {
      return true;
    },
  };
}

import calculateSlot from 'cluster-key-slot';

/** Most keys in one multi-key command (MGET, UNLINK, a script call). */
export const MAX_BATCH = 500;

/** Keys that go into one command, with their positions in the caller's list. */
export interface KeyBatch {
  readonly keys: string[];
  readonly indexes: number[];
}

/**
 * Splits `keys` into batches of at most {@link MAX_BATCH}. With `bySlot`, each batch holds keys of
 * one hash slot, computed on the key as Redis sees it (`prefix + key`, `prefix` being the client's
 * `keyPrefix`). Batches keep the keys' relative order.
 */
export function batchKeys(keys: readonly string[], bySlot: boolean, prefix = ''): KeyBatch[] {
  const groups = new Map<number, KeyBatch[]>();
  const batches: KeyBatch[] = [];
  keys.forEach((key, index) => {
    const slot = bySlot ? calculateSlot(prefix + key) : 0;
    let slotBatches = groups.get(slot);
    if (slotBatches === undefined) {
      slotBatches = [];
      groups.set(slot, slotBatches);
    }
    let batch = slotBatches.at(-1);
    if (batch === undefined || batch.keys.length >= MAX_BATCH) {
      batch = { keys: [], indexes: [] };
      slotBatches.push(batch);
      batches.push(batch);
    }
    batch.keys.push(key);
    batch.indexes.push(index);
  });
  return batches;
}

/** The hash slot of `key` as Redis sees it. */
export function slotOf(key: string, prefix = ''): number {
  return calculateSlot(prefix + key);
}

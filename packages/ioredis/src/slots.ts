import calculateSlot from 'cluster-key-slot';

/**
 * Splits a list of keys into groups that one multi-key command may carry: positions into
 * `keys`, so results can be put back in order. One group per hash slot in a cluster, a single
 * group on a standalone server. Groups keep the keys' order.
 */
export type KeyGrouper = (keys: readonly string[]) => number[][];

/** Every key in one group (standalone Redis). */
export const oneGroup: KeyGrouper = (keys) => (keys.length === 0 ? [] : [keys.map((_, i) => i)]);

/** The hash slot of a key as the server sees it (`prefix` is the client's `keyPrefix`). */
export function slotOf(key: string, prefix: string): number {
  return calculateSlot(prefix + key);
}

/** One group per hash slot (Redis Cluster), `prefix` being the client's `keyPrefix`. */
export function slotGrouper(prefix: string): KeyGrouper {
  return (keys) => {
    const groups = new Map<number, number[]>();
    for (let i = 0; i < keys.length; i++) {
      const slot = slotOf(keys[i] as string, prefix);
      const group = groups.get(slot);
      if (group === undefined) groups.set(slot, [i]);
      else group.push(i);
    }
    return [...groups.values()];
  };
}

/** Splits `items` into consecutive chunks of at most `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

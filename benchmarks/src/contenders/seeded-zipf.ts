/** mulberry32: a small seeded generator, so that every contender gets the same sequence. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The first index whose cumulative weight is >= u. */
function search(cumulative: Float64Array, u: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const mid = (low + high) >> 1;
    if ((cumulative[mid] as number) < u) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Draws indexes 0..count-1 Zipf-distributed (s = `exponent`), the ranks shuffled onto the indexes
 * with `random` first (so the hottest is not index 0); each draw takes one `random()`.
 */
export function zipfDrawer(count: number, exponent: number, random: () => number): () => number {
  const indexOfRank = Array.from({ length: count }, (_, i) => i);
  for (let i = indexOfRank.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indexOfRank[i], indexOfRank[j]] = [indexOfRank[j] as number, indexOfRank[i] as number];
  }
  const cumulative = new Float64Array(count);
  let sum = 0;
  for (let rank = 1; rank <= count; rank++) {
    sum += 1 / rank ** exponent;
    cumulative[rank - 1] = sum;
  }
  for (let i = 0; i < count; i++) cumulative[i] = (cumulative[i] as number) / sum;
  return () => indexOfRank[search(cumulative, random())] as number;
}

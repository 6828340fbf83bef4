/** Smallest bucket bound, in ms (1 µs): everything at or below it lands in bucket 0. */
const MIN_MS = 0.001;
/** Buckets per doubling: each bucket spans a factor of 2^(1/4) (~19 %). */
const PER_DOUBLING = 4;
/** 1 µs * 2^(108/4) = ~134 s; slower observations land in the last bucket. */
const BUCKETS = 109;

/** Upper bound of bucket `index`, in ms. */
function upperBound(index: number): number {
  return MIN_MS * 2 ** (index / PER_DOUBLING);
}

/** Latency figures in milliseconds; `null` when nothing was observed. */
export interface LatencyStats {
  /** Observations. */
  readonly count: number;
  readonly mean: number | null;
  /** Median, estimated within ~19 % (upper bound of its log bucket, at most `max`). */
  readonly p50: number | null;
  /** 99th percentile, estimated like `p50`. */
  readonly p99: number | null;
  readonly max: number | null;
}

/**
 * A fixed log-bucket histogram of durations in ms: O(1) memory and work per observation, quantiles
 * within one bucket (~19 %). Histograms add up bucket by bucket (totals over namespaces).
 */
export class LogHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  count = 0;
  sum = 0;
  max = 0;

  observe(ms: number): void {
    if (!(ms >= 0)) return; // NaN or negative (a clock that went back): dropped
    const index =
      ms <= MIN_MS ? 0 : Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / MIN_MS) * PER_DOUBLING));
    this.#counts[index] = (this.#counts[index] ?? 0) + 1;
    this.count++;
    this.sum += ms;
    if (ms > this.max) this.max = ms;
  }

  /** Adds `other`'s observations to this one. */
  add(other: LogHistogram): void {
    const counts = other.#counts;
    for (let i = 0; i < BUCKETS; i++) this.#counts[i] = (this.#counts[i] ?? 0) + (counts[i] ?? 0);
    this.count += other.count;
    this.sum += other.sum;
    if (other.max > this.max) this.max = other.max;
  }

  /** The `q` quantile (0 < q <= 1) in ms, or `null` when empty. */
  quantile(q: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] ?? 0;
      // The last bucket is open-ended: its only known bound is the max.
      if (seen >= rank) return i === BUCKETS - 1 ? this.max : Math.min(upperBound(i), this.max);
    }
    return this.max;
  }

  stats(): LatencyStats {
    if (this.count === 0) return { count: 0, mean: null, p50: null, p99: null, max: null };
    return {
      count: this.count,
      mean: this.sum / this.count,
      p50: this.quantile(0.5),
      p99: this.quantile(0.99),
      max: this.max,
    };
  }
}

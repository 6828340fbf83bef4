/** One exported sample of a histogram: a cumulative bucket (`le`), the sum or the count. */
export interface HistogramSample {
  /** `le` of a bucket (its upper bound, or `'+Inf'`); undefined for the sum and the count. */
  readonly le: number | '+Inf' | undefined;
  readonly suffix: '_bucket' | '_sum' | '_count';
  readonly value: number;
}

/**
 * A histogram with fixed upper bounds, as Prometheus exports it: observing is a short scan of the
 * bounds and three increments (no labels to hash, nothing allocated); the cumulative buckets are
 * computed only when collected.
 */
export class BucketHistogram {
  readonly bounds: readonly number[];
  /** Observations per bucket, not cumulative; the last slot holds those above every bound. */
  readonly #counts: Float64Array;
  count = 0;
  sum = 0;

  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (!(value >= 0)) return; // NaN or negative (a clock that went back): dropped
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    this.#counts[i] = (this.#counts[i] ?? 0) + 1;
    this.count++;
    this.sum += value;
  }

  /** The samples to export: cumulative buckets (the last `'+Inf'`), then the sum and the count. */
  samples(): HistogramSample[] {
    const out: HistogramSample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.#counts[i] ?? 0;
      out.push({ le: this.bounds[i], suffix: '_bucket', value: cumulative });
    }
    out.push({ le: '+Inf', suffix: '_bucket', value: this.count });
    out.push({ le: undefined, suffix: '_sum', value: this.sum });
    out.push({ le: undefined, suffix: '_count', value: this.count });
    return out;
  }
}

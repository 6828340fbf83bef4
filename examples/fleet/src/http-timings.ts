/** Response times of cached routes over a sliding window, for the dashboard's latency chart. */
export interface TimingWindow {
  /** Width of the window, ms. */
  windowMs: number;
  requests: number;
  /** Median and 99th percentile response time in ms (0 without requests). */
  p50: number;
  p99: number;
  /** Requests in the window by `x-cache` value. */
  byCache: Record<string, number>;
}

/** Keeps the last `capacity` samples (time, ms, x-cache) in a ring. */
export class HttpTimings {
  readonly #at: Float64Array;
  readonly #ms: Float64Array;
  readonly #cache: string[];
  #next = 0;
  #count = 0;

  constructor(capacity = 20_000) {
    this.#at = new Float64Array(capacity);
    this.#ms = new Float64Array(capacity);
    this.#cache = new Array<string>(capacity).fill('');
  }

  record(ms: number, cache: string, at: number = Date.now()): void {
    this.#at[this.#next] = at;
    this.#ms[this.#next] = ms;
    this.#cache[this.#next] = cache;
    this.#next = (this.#next + 1) % this.#at.length;
    this.#count = Math.min(this.#count + 1, this.#at.length);
  }

  /** Figures over the last `windowMs`. */
  window(windowMs = 5000, now: number = Date.now()): TimingWindow {
    const samples: number[] = [];
    const byCache: Record<string, number> = {};
    for (let i = 0; i < this.#count; i++) {
      if (now - (this.#at[i] ?? 0) > windowMs) continue;
      samples.push(this.#ms[i] ?? 0);
      const cache = this.#cache[i] ?? '';
      byCache[cache] = (byCache[cache] ?? 0) + 1;
    }
    samples.sort((a, b) => a - b);
    const at = (q: number): number =>
      samples.length === 0
        ? 0
        : Number(
            (samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0).toFixed(3),
          );
    return { windowMs, requests: samples.length, p50: at(0.5), p99: at(0.99), byCache };
  }
}

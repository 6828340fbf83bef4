import { describe, expect, it } from 'vitest';
import { LogHistogram } from '../src/log-histogram.js';

/** A deterministic pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function exact(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number;
}

describe('LogHistogram', () => {
  it('is empty at first', () => {
    expect(new LogHistogram().stats()).toEqual({
      count: 0,
      mean: null,
      p50: null,
      p99: null,
      max: null,
    });
  });

  it('estimates quantiles within one bucket (+19 %) of the exact ones, over 6 decades', () => {
    const next = random(42);
    for (const [low, high] of [
      [0.01, 1],
      [0.1, 100],
      [1, 10_000],
    ] as const) {
      const histogram = new LogHistogram();
      const values: number[] = [];
      for (let i = 0; i < 5_000; i++) {
        // Log-uniform between low and high.
        const v = low * (high / low) ** next();
        values.push(v);
        histogram.observe(v);
      }
      values.sort((a, b) => a - b);
      for (const q of [0.5, 0.9, 0.99]) {
        const estimate = histogram.quantile(q) as number;
        const truth = exact(values, q);
        expect(estimate).toBeGreaterThanOrEqual(truth);
        expect(estimate).toBeLessThanOrEqual(truth * 1.19);
      }
      const stats = histogram.stats();
      expect(stats.count).toBe(5_000);
      expect(stats.max).toBe(values.at(-1));
      expect(stats.mean).toBeCloseTo(values.reduce((s, v) => s + v, 0) / values.length, 6);
    }
  });

  it('adds up bucket by bucket, and ignores negative and NaN durations', () => {
    const a = new LogHistogram();
    const b = new LogHistogram();
    for (let i = 0; i < 99; i++) a.observe(1);
    b.observe(500);
    b.observe(-3);
    b.observe(Number.NaN);
    a.add(b);
    expect(a.count).toBe(100);
    expect(a.max).toBe(500);
    expect(a.quantile(0.5)).toBeGreaterThanOrEqual(1);
    expect(a.quantile(0.5)).toBeLessThanOrEqual(1.19);
    expect(a.quantile(1)).toBe(500);
    // Durations beyond the last bucket (~134 s) are still counted, capped at their max.
    const slow = new LogHistogram();
    slow.observe(3_600_000);
    expect(slow.quantile(0.99)).toBe(3_600_000);
  });
});

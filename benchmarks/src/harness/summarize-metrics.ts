import { percentileOfSorted } from './stats.js';
import type {
  ContenderResult,
  MetricSpec,
  MetricSummary,
  MetricTarget,
  MetricTargetResult,
} from './types.js';

interface Statistics {
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function statistics(values: readonly number[]): Statistics {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/**
 * p50/p99/max of each declared metric of each contender (those with samples), and the p50 and
 * p99 ratios to the reference's, pooled over the rounds (interleaved, so a noisy neighbour
 * weighs on both sides alike).
 */
export function summarizeMetrics(
  specs: readonly MetricSpec[],
  samples: ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>,
  reference: string | undefined,
): Map<string, MetricSummary[]> {
  const summaries = new Map<string, MetricSummary[]>();
  const referenceSamples = reference === undefined ? undefined : samples.get(reference);
  for (const [contender, byMetric] of samples) {
    const list: MetricSummary[] = [];
    for (const spec of specs) {
      const values = byMetric.get(spec.name);
      if (values === undefined || values.length === 0) continue;
      const mine = statistics(values);
      const theirs = referenceSamples?.get(spec.name);
      const ref = theirs === undefined || theirs.length === 0 ? undefined : statistics(theirs);
      list.push({
        name: spec.name,
        unit: spec.unit,
        ...mine,
        ...(ref === undefined || ref.p50 <= 0 || ref.p99 <= 0
          ? {}
          : { vsReference: { p50: mine.p50 / ref.p50, p99: mine.p99 / ref.p99 } }),
        values,
      });
    }
    summaries.set(contender, list);
  }
  return summaries;
}

/** Checks each metric target on the contender's summary (unmet when it has none). */
export function checkMetricTargets(
  targets: readonly MetricTarget[],
  contenders: readonly ContenderResult[],
): MetricTargetResult[] {
  return targets.map((target) => {
    const contender = contenders.find((c) => c.name === target.contender);
    const metric =
      contender?.status === 'ok'
        ? contender.metrics?.find((m) => m.name === target.metric)
        : undefined;
    const value = metric?.[target.statistic];
    return { ...target, value, met: value !== undefined && value <= target.atMost };
  });
}

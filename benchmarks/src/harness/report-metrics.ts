import { columns, formatRatio } from './format.js';
import type { ScenarioResult } from './types.js';

/** A metric's value with its unit: `0.412 ms`, `12.3 ms`, `1 calls`. */
export function formatMetric(value: number | undefined, unit: string): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return `${value} ${unit}`;
  const digits = Math.abs(value) < 10 ? 3 : 1;
  return `${value.toFixed(digits)} ${unit}`;
}

/**
 * The values the contenders measured themselves: one row per contender and metric (samples,
 * p50, p99, max, and p50/p99 over the reference's), then the metric targets. Empty when the
 * scenario declares no metric.
 */
export function metricLines(result: ScenarioResult): string[] {
  const specs = result.metrics;
  const compared = result.contenders.some((c) => c.metrics?.some((m) => m.vsReference));
  const rows = result.contenders.flatMap((c) =>
    (c.metrics ?? []).map((m) => [
      c.name,
      m.name,
      String(m.samples),
      formatMetric(m.p50, m.unit),
      formatMetric(m.p99, m.unit),
      formatMetric(m.max, m.unit),
      ...(compared
        ? [
            m.vsReference === undefined ? '-' : formatRatio(m.vsReference.p50),
            m.vsReference === undefined ? '-' : formatRatio(m.vsReference.p99),
          ]
        : []),
    ]),
  );
  const lines: string[] = [];
  if (rows.length > 0) {
    const reference = result.reference ?? 'reference';
    lines.push(
      '',
      'measured by the contenders (pooled over the rounds):',
      ...columns([
        [
          'contender',
          'metric',
          'samples',
          'p50',
          'p99',
          'max',
          ...(compared ? [`p50 / ${reference}`, `p99 / ${reference}`] : []),
        ],
        ...rows,
      ]).map((line) => `  ${line}`),
    );
    for (const spec of specs) lines.push(`  ${spec.name}: ${spec.description}`);
  }
  if (result.metricTargets.length > 0) lines.push('', 'targets (for information):');
  for (const t of result.metricTargets) {
    const unit = specs.find((s) => s.name === t.metric)?.unit ?? '';
    const value = t.value === undefined ? 'not measured' : formatMetric(t.value, unit);
    lines.push(
      `  ${t.contender} ${t.metric} ${t.statistic} <= ${formatMetric(t.atMost, unit)}: ${value} ${t.met ? 'met' : 'MISSED'}`,
    );
  }
  return lines;
}

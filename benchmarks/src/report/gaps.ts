import { formatRatio } from '../harness/format.js';
import { formatMetric } from '../harness/report-metrics.js';
import type {
  ContenderResult,
  MetricTargetResult,
  RatioSummary,
  ScenarioResult,
  TargetResult,
} from '../harness/types.js';

/** One target of one scenario, as the summary states it. */
export interface TargetLine {
  /** `B1 l1-hit`. */
  readonly scenario: string;
  /** `cachekit >= 0.5x hand-written`. */
  readonly target: string;
  /** The median ratio or the statistic: `0.22x`, `0.970 ms`, `not measured`. */
  readonly measured: string;
  /** Spread of the ratio over the rounds, or the metric over the reference's. */
  readonly context: string;
  readonly met: boolean;
}

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `0.20x-0.25x over 7 rounds` */
export function spread(ratio: RatioSummary | undefined): string {
  if (ratio === undefined || !finite(ratio.min) || !finite(ratio.max)) return '-';
  return `${formatRatio(ratio.min)}-${formatRatio(ratio.max)} over ${ratio.perRound.length} rounds`;
}

function contender(s: ScenarioResult, name: string): ContenderResult | undefined {
  return s.contenders.find((c) => c.name === name);
}

function ratioLine(s: ScenarioResult, t: TargetResult): TargetLine {
  const against =
    t.against === 'reference'
      ? (s.reference ?? 'the reference')
      : `the best peer${s.bestPeer === undefined ? '' : ` (${s.bestPeer})`}`;
  const c = contender(s, t.contender);
  const ratio = t.against === 'reference' ? c?.vsReference : c?.vsBestPeer;
  return {
    scenario: `${s.id} ${s.name}`,
    target: `${t.contender} >= ${t.atLeast}x ${against}`,
    measured: finite(t.median) ? formatRatio(t.median) : 'not measured',
    context: spread(ratio),
    met: t.met,
  };
}

function metricLine(s: ScenarioResult, t: MetricTargetResult): TargetLine {
  const unit = s.metrics.find((m) => m.name === t.metric)?.unit ?? '';
  const measured = contender(s, t.contender)?.metrics?.find((m) => m.name === t.metric);
  const vs = t.statistic === 'max' ? undefined : measured?.vsReference?.[t.statistic];
  return {
    scenario: `${s.id} ${s.name}`,
    target: `${t.contender} ${t.metric} ${t.statistic} <= ${formatMetric(t.atMost, unit)}`,
    measured: finite(t.value) ? formatMetric(t.value, unit) : 'not measured',
    context:
      [
        finite(t.value) && t.atMost > 0 ? `${formatRatio(t.value / t.atMost)} the bound` : '',
        finite(vs) ? `${t.statistic} ${formatRatio(vs)} ${s.reference ?? 'the reference'}'s` : '',
      ]
        .filter((part) => part !== '')
        .join('; ') || '-',
    met: t.met && finite(t.value),
  };
}

/** Every target of the scenario (ratios, then bounds on metrics), met or not. */
export function targetLines(s: ScenarioResult): TargetLine[] {
  return [
    ...s.targets.map((t) => ratioLine(s, t)),
    ...s.metricTargets.map((t) => metricLine(s, t)),
  ];
}

/**
 * Where cachekit is behind, one sentence each: every missed target with its measured value,
 * every subject slower than the scenario's best peer (median per-round ratio < 1) that no target
 * already names (unless the scenario's rates are context only), and every contender that failed (its comparison is missing).
 */
export function gaps(s: ScenarioResult): string[] {
  const where = `${s.id} ${s.name}`;
  const found: string[] = [];
  for (const line of targetLines(s)) {
    if (line.met) continue;
    const context = line.context === '-' ? '' : ` (${line.context})`;
    found.push(`${where}: ${line.target}: measured ${line.measured}${context}, MISSED.`);
  }
  for (const c of s.contenders) {
    if (s.ratesCompared === false) break; // rates are context only in this scenario
    if (c.role !== 'subject' || c.status !== 'ok') continue;
    const ratio = c.vsBestPeer;
    if (ratio === undefined || !finite(ratio.median) || ratio.median >= 1) continue;
    const targeted = s.targets.some((t) => t.contender === c.name && t.against === 'best-peer');
    if (targeted) continue;
    found.push(
      `${where}: ${c.name} is behind the best peer (${s.bestPeer ?? 'peer'}): ${formatRatio(ratio.median)} of its throughput (${spread(ratio)}).`,
    );
  }
  for (const c of s.contenders) {
    if (c.status !== 'failed') continue;
    const stage = c.failure?.stage ?? 'run';
    found.push(
      `${where}: ${c.name} (${c.role}) FAILED at ${stage}: ${c.failure?.message ?? 'no reason given'}; nothing of it is compared.`,
    );
  }
  return found;
}

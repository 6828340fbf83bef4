import { formatNs, formatRate, formatRatio } from '../harness/format.js';
import { formatMetric } from '../harness/report-metrics.js';
import type { ContenderResult, MetricSummary, ScenarioResult } from '../harness/types.js';
import { type Bar, type BarChart, barChartSvg } from './bar-chart.js';

/** A chart of a scenario, rendered: its file name (in the charts folder) and SVG text. */
export interface ChartFile {
  readonly kind: 'throughput' | 'p99';
  /** `b1-l1-hit-throughput.svg`. */
  readonly file: string;
  /** What it shows, for the Markdown image's alt text. */
  readonly title: string;
  readonly svg: string;
}

const TIME_UNITS = new Set(['ns', 'µs', 'us', 'ms', 's']);

/** `B1`, `l1-hit` -> `b1-l1-hit`: a file name on every OS. */
export function scenarioSlug(scenario: Pick<ScenarioResult, 'id' | 'name'>): string {
  return `${scenario.id}-${scenario.name}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function finite(value: number | null | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** `2000000` -> `2M`, `500000` -> `500k`, `12.5` -> `12.5`. */
export function shortNumber(value: number): string {
  const trim = (n: number): string => String(Number(n.toPrecision(3)));
  if (Math.abs(value) >= 1e6) return `${trim(value / 1e6)}M`;
  if (Math.abs(value) >= 1e3) return `${trim(value / 1e3)}k`;
  return trim(value);
}

/** `from delete() …` -> `From delete() ….` */
function sentence(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  const body = `${trimmed[0]?.toUpperCase() ?? ''}${trimmed.slice(1)}`;
  return /[.!?]$/.test(body) ? body : `${body}.`;
}

function failedCaption(c: ContenderResult): string {
  return c.status === 'failed' ? `failed at ${c.failure?.stage ?? 'run'}` : 'not measured';
}

function throughputChart(s: ScenarioResult): BarChart {
  const perOp = s.unit?.perOp ?? 1;
  const unitName = `${s.unit?.name ?? 'ops'}/s`;
  const bars = s.contenders.map((c): Bar => {
    const ok = c.status === 'ok' && finite(c.medianOpsPerSec);
    const ratio = c.vsReference?.median;
    const vs = c.name !== s.reference && finite(ratio) ? ` (${formatRatio(ratio)})` : '';
    return {
      label: c.name,
      role: c.role,
      value: ok ? c.medianOpsPerSec * perOp : undefined,
      caption: ok ? `${formatRate(c.medianOpsPerSec, s.unit)}${vs}` : failedCaption(c),
      ...(ok && finite(c.minOpsPerSec) && finite(c.maxOpsPerSec)
        ? { range: [c.minOpsPerSec * perOp, c.maxOpsPerSec * perOp] as const }
        : {}),
    };
  });
  const vs = s.reference === undefined ? '' : `; (x): median per-round ratio to ${s.reference}`;
  return {
    title: `${s.id} ${s.name}: throughput, median of ${s.config.rounds} interleaved rounds`,
    subtitle: `Higher is better. Whisker: min to max over the rounds${vs}.`,
    axisLabel: unitName,
    bars,
    formatTick: shortNumber,
  };
}

/** The metric a p99 chart shows when the scenario times no single operation (see {@link p99Chart}). */
function latencyMetric(s: ScenarioResult): { name: string; statistic: 'p50' | 'p99' } | undefined {
  const timed = s.metrics.filter((m) => TIME_UNITS.has(m.unit));
  const ownP99 = timed.find((m) => /(^|-)p99$/.test(m.name));
  if (ownP99 !== undefined) return { name: ownP99.name, statistic: 'p50' };
  const bounded = timed.find((m) => s.metricTargets.some((t) => t.metric === m.name));
  const chosen = bounded ?? timed[0];
  return chosen === undefined ? undefined : { name: chosen.name, statistic: 'p99' };
}

/**
 * p99 per contender: of the per-operation latency samples when the scenario takes them; else of
 * the first time metric the contenders measure themselves (one with a target first); a metric
 * that is itself a p99 (`latency-p99`, autocannon's per burst) is shown as its median. Undefined
 * when the scenario measures no time at all.
 */
function p99Chart(s: ScenarioResult): BarChart | undefined {
  const sampled = s.contenders.some((c) => finite(c.latency?.p99Ns));
  if (sampled) {
    return {
      title: `${s.id} ${s.name}: p99 latency of one operation`,
      subtitle: `Lower is better. Operations timed one by one, pooled over the rounds (${s.config.latencySamples.toLocaleString('en-US')} a round); p50 in brackets.`,
      axisLabel: 'p99 latency',
      bars: s.contenders.map((c): Bar => {
        const p99 = c.latency?.p99Ns;
        return {
          label: c.name,
          role: c.role,
          value: finite(p99) ? p99 : undefined,
          caption: finite(p99)
            ? `${formatNs(p99)} (p50 ${formatNs(c.latency?.p50Ns ?? Number.NaN)})`
            : failedCaption(c),
        };
      }),
      formatTick: (ns) => (ns === 0 ? '0' : formatNs(ns)),
    };
  }
  const pick = latencyMetric(s);
  if (pick === undefined) return undefined;
  const spec = s.metrics.find((m) => m.name === pick.name);
  const unit = spec?.unit ?? '';
  const of = (c: ContenderResult): MetricSummary | undefined =>
    c.metrics?.find((m) => m.name === pick.name);
  const what =
    pick.statistic === 'p50' ? `${pick.name}, median over the timed runs` : `p99 of ${pick.name}`;
  const bounds = new Set(
    s.metricTargets
      .filter((t) => t.metric === pick.name && t.statistic === pick.statistic)
      .map((t) => t.atMost),
  );
  return {
    title: `${s.id} ${s.name}: ${what}`,
    subtitle: `Lower is better. ${sentence(spec?.description ?? '')}`.trim(),
    axisLabel: `${pick.statistic === 'p50' ? 'median' : 'p99'} of ${pick.name} (${unit})`,
    markers: [...bounds].map((atMost) => ({
      value: atMost,
      label: `target ${pick.statistic} <= ${formatMetric(atMost, unit)}`,
    })),
    bars: s.contenders.map((c): Bar => {
      const m = of(c);
      const value = m?.[pick.statistic];
      return {
        label: c.name,
        role: c.role,
        value: finite(value) ? value : undefined,
        caption: finite(value)
          ? `${formatMetric(value, unit)} (max ${formatMetric(m?.max, unit)})`
          : failedCaption(c),
      };
    }),
    formatTick: (v) => (v === 0 ? '0' : `${shortNumber(v)} ${unit}`),
  };
}

/** The charts of one scenario: throughput, and p99 when it measures a time. */
export function scenarioCharts(s: ScenarioResult): ChartFile[] {
  const slug = scenarioSlug(s);
  const charts: ChartFile[] = [];
  const throughput = throughputChart(s);
  charts.push({
    kind: 'throughput',
    file: `${slug}-throughput.svg`,
    title: throughput.title,
    svg: barChartSvg(throughput),
  });
  const p99 = p99Chart(s);
  if (p99 !== undefined) {
    charts.push({ kind: 'p99', file: `${slug}-p99.svg`, title: p99.title, svg: barChartSvg(p99) });
  }
  return charts;
}

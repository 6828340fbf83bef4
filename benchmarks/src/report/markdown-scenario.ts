import { formatNs, formatRate, formatRatio } from '../harness/format.js';
import { formatMetric } from '../harness/report-metrics.js';
import type { ContenderResult, RatioSummary, RunConfig, ScenarioResult } from '../harness/types.js';
import type { ChartFile } from './charts.js';
import { targetLines } from './gaps.js';
import { code, firstSentence, table } from './markdown-text.js';

/** `7 rounds; 1,000 ms per timed run, 2,000 warm-up ops before each` */
export function sizes(c: RunConfig): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  const timing =
    typeof c.ops === 'number' ? `${n(c.ops)} ops per timed run` : `${n(c.timeMs)} ms per timed run`;
  const latency =
    c.latencySamples > 0 ? `, ${n(c.latencySamples)} ops a round timed one by one` : '';
  return `${c.rounds} interleaved rounds; ${timing}, ${n(c.roundWarmupOps)} warm-up ops before each${latency}`;
}

function ratioCell(ratio: RatioSummary | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio.median)) return '-';
  return `${formatRatio(ratio.median)} (${formatRatio(ratio.min)}-${formatRatio(ratio.max)})`;
}

function contenderRow(s: ScenarioResult, c: ContenderResult): string[] {
  const summary = firstSentence(c.config);
  if (c.status === 'failed') {
    const failed = `FAILED at ${c.failure?.stage ?? 'run'}`;
    return [code(c.name), c.role, summary, failed, '', '', '', '', ''];
  }
  return [
    code(c.name),
    c.role,
    summary,
    formatRate(c.medianOpsPerSec, s.unit),
    `${formatRate(c.minOpsPerSec, s.unit)} .. ${formatRate(c.maxOpsPerSec, s.unit)}`,
    c.latency === undefined ? '-' : formatNs(c.latency.p50Ns),
    c.latency === undefined ? '-' : formatNs(c.latency.p99Ns),
    ratioCell(c.vsReference),
    ratioCell(c.vsBestPeer),
  ];
}

function metricsTable(s: ScenarioResult): string[] {
  const rows = s.contenders.flatMap((c) =>
    (c.metrics ?? []).map((m) => [
      code(c.name),
      m.name,
      String(m.samples),
      formatMetric(m.p50, m.unit),
      formatMetric(m.p99, m.unit),
      formatMetric(m.max, m.unit),
      m.vsReference === undefined ? '-' : formatRatio(m.vsReference.p50),
      m.vsReference === undefined ? '-' : formatRatio(m.vsReference.p99),
    ]),
  );
  if (rows.length === 0) return [];
  const reference = s.reference ?? 'reference';
  return [
    '',
    'Measured by the contenders themselves (pooled over the timed runs):',
    '',
    ...table(
      [
        'contender',
        'metric',
        'samples',
        'p50',
        'p99',
        'max',
        `p50 / ${reference}`,
        `p99 / ${reference}`,
      ],
      rows,
    ),
    '',
    ...s.metrics.map((m) => `- ${code(m.name)} (${m.unit}): ${m.description}`),
  ];
}

function list(title: string, items: readonly string[]): string[] {
  return items.length === 0 ? [] : ['', `**${title}**`, '', ...items.map((item) => `- ${item}`)];
}

/**
 * One scenario's section: what one operation is, the sizes, the charts, a table of contenders,
 * what they measured themselves, its targets (met or MISSED), findings, failures, and each
 * contender's configuration in full. `chartHref` gives the link to a chart file.
 */
export function scenarioSection(
  s: ScenarioResult,
  charts: readonly ChartFile[],
  chartHref: (file: string) => string,
): string[] {
  const unit = s.unit === undefined ? 'ops' : s.unit.name;
  const context = [
    sizes(s.config),
    s.unit === undefined
      ? ''
      : `one op is ${s.unit.perOp.toLocaleString('en-US')} ${s.unit.name}: rates in ${s.unit.name}/s`,
    `reference: ${s.reference === undefined ? 'none' : code(s.reference)}`,
    `best peer: ${s.bestPeer === undefined ? 'none' : code(s.bestPeer)}`,
    s.ratesCompared === false ? 'rates are context only: read the metrics' : '',
    s.timerOverheadNs > 0 && s.contenders.some((c) => c.latency !== undefined)
      ? `p50/p99 include ~${formatNs(s.timerOverheadNs)} of clock reads`
      : '',
    `took ${(s.durationMs / 1000).toFixed(1)} s`,
  ].filter((part) => part !== '');
  const reference = s.reference ?? 'reference';
  const targets = targetLines(s).map(
    (t) =>
      `${t.target}: **${t.measured}**${t.context === '-' ? '' : ` (${t.context})`}: ${t.met ? 'met' : '**MISSED**'}`,
  );
  const failures = s.contenders
    .filter((c) => c.status === 'failed')
    .map(
      (c) =>
        `${code(c.name)} failed at ${c.failure?.stage ?? 'run'}: ${c.failure?.message ?? 'no reason given'}`,
    );
  return [
    `## ${s.id} ${s.name}`,
    '',
    s.title,
    '',
    `${context.join(' · ')}.`,
    '',
    ...charts.map((chart) => `![${chart.title}](${chartHref(chart.file)})`),
    ...(charts.length > 0 ? [''] : []),
    ...table(
      [
        'contender',
        'role',
        'configuration (summary)',
        `median ${unit}/s`,
        'min .. max',
        'p50',
        'p99',
        `vs ${reference} (spread)`,
        'vs best peer (spread)',
      ],
      s.contenders.map((c) => contenderRow(s, c)),
    ),
    ...metricsTable(s),
    ...list(
      'Targets (ratios: median over the rounds)',
      targets.length > 0 ? targets : ['none set for this scenario'],
    ),
    ...list('Failures', failures),
    ...list('Findings', s.findings),
    ...list(
      'Configuration of each contender',
      s.contenders.map((c) => `${code(c.name)} (${c.role}): ${c.config}`),
    ),
  ];
}

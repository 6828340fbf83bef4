import { columns, formatNs, formatRate, formatRatio } from './format.js';
import { metricLines } from './report-metrics.js';
import type {
  ContenderResult,
  OpUnit,
  RatioSummary,
  RunConfig,
  RunReport,
  ScenarioResult,
} from './types.js';

function ratioCell(ratio: RatioSummary | undefined): string {
  if (ratio === undefined) return '-';
  return `${formatRatio(ratio.median)} (${formatRatio(ratio.min)}-${formatRatio(ratio.max)})`;
}

function row(c: ContenderResult, unit: OpUnit | undefined): string[] {
  if (c.status === 'failed') {
    return [c.name, c.role, `FAILED (${c.failure?.stage ?? 'run'})`, '', '', '', '', ''];
  }
  return [
    c.name,
    c.role,
    formatRate(c.medianOpsPerSec, unit),
    `${formatRate(c.minOpsPerSec, unit)} .. ${formatRate(c.maxOpsPerSec, unit)}`,
    c.latency === undefined ? '-' : formatNs(c.latency.p50Ns),
    c.latency === undefined ? '-' : formatNs(c.latency.p99Ns),
    ratioCell(c.vsReference),
    ratioCell(c.vsBestPeer),
  ];
}

/** `200 ops per timed run, 2 warm-up ops before each, 7 rounds` */
function sizes(c: RunConfig): string {
  const timing =
    c.ops === undefined ? `${c.timeMs} ms per timed run` : `${c.ops} ops per timed run`;
  return `${timing}, ${c.roundWarmupOps} warm-up ops before each, ${c.rounds} rounds`;
}

/**
 * The readable report of one scenario: a table of contenders, what they measured themselves,
 * failures, targets and findings. `run` is the run's configuration: the scenario's own sizes are
 * printed when they differ.
 */
export function scenarioTable(result: ScenarioResult, run: RunConfig): string {
  const lines = [
    `${result.id} ${result.name}: ${result.title}`,
    ...(sizes(result.config) === sizes(run)
      ? []
      : [`sized for this scenario: ${sizes(result.config)}`]),
    ...(result.unit === undefined
      ? []
      : [
          `one op is ${result.unit.perOp.toLocaleString('en-US')} ${result.unit.name}: rates in ${result.unit.name}/s`,
        ]),
    `${result.config.rounds} interleaved rounds (order rotated each round); reference: ${result.reference ?? '-'}; best peer: ${result.bestPeer ?? '-'}`,
    '',
    ...columns([
      [
        'contender',
        'role',
        'median',
        'min .. max',
        'p50',
        'p99',
        `vs ${result.reference ?? 'reference'} (spread)`,
        'vs best peer (spread)',
      ],
      ...result.contenders.map((c) => row(c, result.unit)),
    ]),
  ];
  for (const c of result.contenders) {
    if (c.failure !== undefined)
      lines.push(`  ${c.name} failed at ${c.failure.stage}: ${c.failure.message}`);
  }
  lines.push(...metricLines(result));
  if (result.targets.length > 0) lines.push('', 'targets (median ratio, for information):');
  for (const t of result.targets) {
    const against =
      t.against === 'reference'
        ? (result.reference ?? 'reference')
        : `best peer${result.bestPeer === undefined ? '' : ` (${result.bestPeer})`}`;
    const value = t.median === undefined ? 'not measured' : formatRatio(t.median);
    lines.push(
      `  ${t.contender} >= ${t.atLeast}x ${against}: ${value} ${t.met ? 'met' : 'MISSED'}`,
    );
  }
  if (result.findings.length > 0) lines.push('', 'findings:');
  for (const finding of result.findings) lines.push(`  ${finding}`);
  if (result.timerOverheadNs > 0) {
    lines.push(`latency samples include ~${formatNs(result.timerOverheadNs)} of clock reads`);
  }
  lines.push(`took ${(result.durationMs / 1000).toFixed(1)} s`);
  return lines.join('\n');
}

/** The readable report of a run, printed on stdout. */
export function runTable(report: RunReport): string {
  const c = report.config;
  const header = [
    `cachekit benchmarks (${report.mode}): ${sizes(c)}`,
    `node ${report.environment.node}, ${report.environment.cpus} x ${report.environment.cpuModel}${report.environment.gcExposed ? ', gc between runs' : ''}`,
    'Ratios are per round, side by side; absolute figures vary with the machine and are context only.',
  ];
  if (report.mode === 'quick') {
    header.push(
      'Quick mode proves every contender works; too short for its figures to mean anything.',
    );
  }
  const body = report.scenarios.map((s) => scenarioTable(s, c));
  return [header.join('\n'), ...body, `total ${(report.durationMs / 1000).toFixed(1)} s`].join(
    '\n\n',
  );
}

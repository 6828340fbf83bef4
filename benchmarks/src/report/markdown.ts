import type { ChartFile } from './charts.js';
import { environmentSection, type Fallbacks } from './markdown-environment.js';
import { scenarioSection } from './markdown-scenario.js';
import { closingSection, summarySection } from './markdown-summary.js';
import { code } from './markdown-text.js';
import type { RecordedRun } from './types.js';

/** What the Markdown needs besides the run. */
export interface MarkdownOptions {
  /** The run's JSON as a reader finds it: `benchmarks/results/2026-….json`. */
  readonly source: string;
  /** The command that regenerates this report from that JSON. */
  readonly regenerate: string;
  /** The charts of each scenario, by scenario id. */
  readonly charts: ReadonlyMap<string, readonly ChartFile[]>;
  /** The link to a chart file, relative to the report. */
  chartHref(file: string): string;
  /** Facts the JSON lacks, read when the report is generated. */
  readonly fallbacks: Fallbacks;
}

/**
 * The Markdown report of a run: provenance, the summary of every target (met or MISSED) and of
 * where cachekit is behind, the machine, command and versions, one section per scenario, and the
 * closing note listing the gaps.
 */
export function renderMarkdown(run: RecordedRun, options: MarkdownOptions): string {
  const quick =
    run.mode === 'quick'
      ? [
          '> **Quick mode.** This run proves every contender works; it is far too short for any',
          '> figure in it to mean anything. A full run (`npm run bench`) writes `benchmarks/RESULTS.md`.',
          '',
        ]
      : [];
  const lines = [
    `# cachekit benchmark results${run.mode === 'quick' ? ' (quick mode)' : ''}`,
    '',
    ...quick,
    `Generated from ${code(options.source)}; regenerate with ${code(options.regenerate)}.`,
    '',
    'Every figure that counts is a **ratio measured side by side in this run**: the contenders of a',
    'scenario run in interleaved rounds (the order rotated by one each round), a ratio is the median',
    "of the per-round ratios, and its spread is the rounds' min-max. Absolute rates and latencies",
    'are context only: on a shared machine they vary 2-3x between runs. Each contender was verified',
    '(it returned the correct values, on the path being measured) before any timing counted.',
    '',
    ...summarySection(run),
    '',
    ...environmentSection(run, options.fallbacks),
    '',
    ...run.scenarios.flatMap((s) => [
      ...scenarioSection(s, options.charts.get(s.id) ?? [], options.chartHref),
      '',
    ]),
    ...closingSection(run),
  ];
  return `${lines.join('\n')}\n`;
}

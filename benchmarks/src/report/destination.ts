import { basename, dirname, join } from 'node:path';
import type { RecordedRun } from './types.js';

/** Where a report goes: the Markdown file and the folder of its charts. */
export interface ReportPlace {
  readonly markdown: string;
  readonly charts: string;
}

/** The name of the one report meant to be committed. */
export const FULL_REPORT = 'RESULTS.md';

/**
 * The charts folder of a report, next to it: `charts/` for `RESULTS.md`, `<name>-charts/` for
 * any other `<name>.md` (`RESULTS-quick-charts/`), so two reports never share charts.
 */
export function chartsDirFor(markdown: string): string {
  const name = basename(markdown, '.md');
  return join(
    dirname(markdown),
    name === basename(FULL_REPORT, '.md') ? 'charts' : `${name}-charts`,
  );
}

/** What decides where a run's report goes by default. */
export interface PlaceOptions {
  /** The benchmarks package folder: `RESULTS.md` and `charts/` go there. */
  readonly packageDir: string;
  /** Where the other reports go (the run's `--out`, or the JSON's folder for `--report-only`). */
  readonly outDir: string;
  /** The id of every registered scenario. */
  readonly scenarioIds: readonly string[];
  /** `--report-out FILE`: overrides the default. */
  readonly markdown?: string | undefined;
}

/** A full-mode run of every registered scenario with at least 5 rounds: what RESULTS.md holds. */
export function isCompleteRun(run: RecordedRun, scenarioIds: readonly string[]): boolean {
  const ran = new Set(run.scenarios.map((s) => s.id));
  return run.mode === 'full' && run.config.rounds >= 5 && scenarioIds.every((id) => ran.has(id));
}

/**
 * Where a run's report goes: `--report-out` when given; else `benchmarks/RESULTS.md` for a
 * complete run ({@link isCompleteRun}); else `RESULTS-quick.md` (quick mode) or
 * `RESULTS-partial.md` (some scenarios, or fewer than 5 rounds) in `outDir`, so neither replaces
 * the committed report.
 */
export function reportPlace(run: RecordedRun, options: PlaceOptions): ReportPlace {
  const markdown =
    options.markdown ??
    (isCompleteRun(run, options.scenarioIds)
      ? join(options.packageDir, FULL_REPORT)
      : join(options.outDir, run.mode === 'quick' ? 'RESULTS-quick.md' : 'RESULTS-partial.md'));
  return { markdown, charts: chartsDirFor(markdown) };
}

import { reportPlace } from './destination.js';
import type { Fallbacks } from './markdown-environment.js';
import { packageVersions } from './package-versions.js';
import { redisServerVersion } from './record-run.js';
import type { RecordedRun } from './types.js';
import { displayPath, type WrittenReport, writeMarkdownReport } from './write-report.js';

export interface GenerateOptions {
  /** The benchmarks package folder (its `package.json`, `node_modules`, `RESULTS.md`). */
  readonly packageDir: string;
  /** The repository root: paths in the report are relative to it. */
  readonly repoRoot: string;
  /** Where a report other than `RESULTS.md` goes (see `reportPlace`). */
  readonly outDir: string;
  /** The id of every registered scenario. */
  readonly scenarioIds: readonly string[];
  /** `--report-out FILE`: the Markdown file to write instead of the default. */
  readonly markdown?: string | undefined;
}

/** What the report needs and an older JSON lacks, read now (Redis's and the packages' versions). */
export async function fallbacksFor(run: RecordedRun, packageDir: string): Promise<Fallbacks> {
  const env = run.environment;
  const redis = env.redis === undefined ? await redisServerVersion() : undefined;
  const packages = env.packages === undefined ? await packageVersions(packageDir) : undefined;
  return {
    ...(redis === undefined ? {} : { redis }),
    ...(packages === undefined ? {} : { packages }),
  };
}

/**
 * Writes the Markdown report and the charts of a run whose JSON is `json` (already written),
 * where {@link reportPlace} says. Returns what it wrote.
 */
export async function generateReport(
  run: RecordedRun,
  json: string,
  options: GenerateOptions,
): Promise<WrittenReport> {
  const place = reportPlace(run, options);
  const out =
    options.markdown === undefined
      ? ''
      : ` --report-out ${displayPath(options.markdown, options.repoRoot)}`;
  return writeMarkdownReport(run, {
    place,
    json,
    displayRoot: options.repoRoot,
    regenerate: `npm run bench -- --report-only ${displayPath(json, options.repoRoot)}${out}`,
    fallbacks: await fallbacksFor(run, options.packageDir),
  });
}

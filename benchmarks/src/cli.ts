import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CliRequest, parseCli, USAGE } from './cli-args.js';
import { writeReport } from './harness/report-json.js';
import { runTable } from './harness/report-table.js';
import { failedContenders, runBenchmarks } from './harness/run.js';
import { allScenarios, selectScenarios } from './registry.js';
import { ReportInputError } from './report/errors.js';
import { generateReport } from './report/generate-report.js';
import { loadRun } from './report/load-run.js';
import { currentInvocation, environmentExtras, recordRun } from './report/record-run.js';
import type { RecordedRun } from './report/types.js';
import { displayPath } from './report/write-report.js';

/** `benchmarks/`, from `src/cli.ts` and from the built `dist/cli.js` alike. */
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
/** The repository root. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** `benchmarks/results`. */
const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));

/** Writes the Markdown report and charts of a run whose JSON is `json`, and says where. */
async function report(
  run: RecordedRun,
  json: string,
  outDir: string,
  request: CliRequest,
): Promise<void> {
  const written = await generateReport(run, json, {
    packageDir: PACKAGE_DIR,
    repoRoot: REPO_ROOT,
    outDir,
    scenarioIds: allScenarios().map((s) => s.id),
    markdown: request.reportOut === undefined ? undefined : resolve(request.reportOut),
  });
  console.log(`report: ${displayPath(written.markdown, process.cwd())}`);
  console.log(`charts: ${written.charts.length} SVG files next to it`);
}

async function main(argv: readonly string[]): Promise<number> {
  const request = parseCli(argv);
  if (request.help) {
    console.log(USAGE);
    return 0;
  }
  if (request.list) {
    for (const s of allScenarios()) console.log(`${s.id.toLowerCase()}  ${s.name}  ${s.title}`);
    return 0;
  }
  if (request.reportOnly !== undefined) {
    const json = resolve(request.reportOnly);
    await report(await loadRun(json), json, resolve(json, '..'), request);
    return 0;
  }
  const scenarios = selectScenarios(request.scenarios);
  if (!request.config.quick && request.config.rounds < 5) {
    console.error(`note: ${request.config.rounds} rounds: quote no figure from fewer than 5.`);
  }
  const result = await runBenchmarks(scenarios, request.config, (line) => console.error(line));
  console.log(`\n${runTable(result)}`);
  if (request.save) {
    const outDir = resolve(request.outDir ?? RESULTS_DIR);
    const run = recordRun(
      result,
      await environmentExtras(PACKAGE_DIR),
      currentInvocation(REPO_ROOT),
    );
    const json = await writeReport(run, outDir);
    console.log(`\njson: ${displayPath(json, process.cwd())}`);
    await report(run, json, outDir, request);
  }
  const failed = failedContenders(result);
  if (failed.length > 0) {
    console.error(`\nfailed contenders: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    // Bad input (a JSON that is not a run) gets its message; anything else its stack.
    if (error instanceof ReportInputError) console.error(`${error.message} (${error.code})`);
    else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);

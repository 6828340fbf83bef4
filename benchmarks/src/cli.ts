import { fileURLToPath } from 'node:url';
import { parseCli, USAGE } from './cli-args.js';
import { writeReport } from './harness/report-json.js';
import { runTable } from './harness/report-table.js';
import { failedContenders, runBenchmarks } from './harness/run.js';
import { allScenarios, selectScenarios } from './registry.js';

/** `benchmarks/results`, from `src/cli.ts` and from the built `dist/cli.js` alike. */
const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));

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
  const scenarios = selectScenarios(request.scenarios);
  if (!request.config.quick && request.config.rounds < 5) {
    console.error(`note: ${request.config.rounds} rounds: quote no figure from fewer than 5.`);
  }
  const report = await runBenchmarks(scenarios, request.config, (line) => console.error(line));
  console.log(`\n${runTable(report)}`);
  if (request.save) {
    const path = await writeReport(report, request.outDir ?? RESULTS_DIR);
    console.log(`\nreport: ${path}`);
  }
  const failed = failedContenders(report);
  if (failed.length > 0) {
    console.error(`\nfailed contenders: ${failed.join(', ')}`);
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);

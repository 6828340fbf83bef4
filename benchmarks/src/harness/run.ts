import { cpus } from 'node:os';
import { gcExposed } from './measure.js';
import { type ProgressLog, runScenario } from './run-scenario.js';
import type { RunConfig, RunReport, Scenario, ScenarioResult } from './types.js';

/** Runs the scenarios one after the other and gathers the report of the run. */
export async function runBenchmarks(
  scenarios: readonly Scenario[],
  config: RunConfig,
  log: ProgressLog = () => {},
): Promise<RunReport> {
  const startedAt = new Date().toISOString();
  const began = performance.now();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    log(`${scenario.id} ${scenario.name}: ${scenario.title}`);
    results.push(await runScenario(scenario, config, log));
  }
  const cpu = cpus();
  return {
    startedAt,
    durationMs: performance.now() - began,
    mode: config.quick ? 'quick' : 'full',
    config,
    environment: {
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? 'unknown',
      gcExposed,
    },
    scenarios: results,
  };
}

/** Names of the contenders that failed (start, verification or run), as `scenario/contender`. */
export function failedContenders(report: RunReport): string[] {
  return report.scenarios.flatMap((s) =>
    s.contenders.filter((c) => c.status === 'failed').map((c) => `${s.name}/${c.name}`),
  );
}

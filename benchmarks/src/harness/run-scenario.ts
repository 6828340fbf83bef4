import { formatRate } from './format.js';
import { collectGarbage, runOps, sampleLatencies, timeRun, timerOverheadNs } from './measure.js';
import { rotate } from './stats.js';
import { type Measured, summarizeScenario } from './summarize.js';
import type {
  Contender,
  ContenderResult,
  OpUnit,
  RunConfig,
  Scenario,
  ScenarioResult,
} from './types.js';

/** Receives one progress line at a time (the CLI prints them on stderr). */
export type ProgressLog = (line: string) => void;

type Failure = NonNullable<ContenderResult['failure']>;

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Runs one scenario: starts and verifies every contender (a contender that fails either is
 * reported, never timed), warms the verified ones up, then times them in interleaved rounds
 * (each round runs every contender once, the order rotated by one place per round), and
 * closes everything it started, even on failure.
 */
export async function runScenario(
  scenario: Scenario,
  runConfig: RunConfig,
  log: ProgressLog = () => {},
): Promise<ScenarioResult> {
  const began = performance.now();
  const config = scenario.sizeRun?.(runConfig) ?? runConfig;
  const setup = await scenario.setup({ quick: config.quick });
  const measured: Measured[] = [];
  const failures = new Map<string, Failure>();
  const started: Contender[] = [];
  try {
    for (const spec of setup.contenders) {
      let contender: Contender;
      try {
        contender = await spec.start();
        started.push(contender);
      } catch (error) {
        failures.set(spec.name, { stage: 'start', message: messageOf(error) });
        log(`  ${spec.name}: FAILED to start: ${messageOf(error)}`);
        continue;
      }
      try {
        await setup.verify(contender);
        contender.takeSamples?.();
        measured.push({ spec, contender, rounds: [], latencies: [], samples: new Map() });
      } catch (error) {
        failures.set(spec.name, { stage: 'verify', message: messageOf(error) });
        log(`  ${spec.name}: FAILED verification: ${messageOf(error)}`);
      }
    }
    const alive = (): Measured[] => measured.filter((entry) => !failures.has(entry.spec.name));
    const guarded = async (entry: Measured, work: () => Promise<void>): Promise<void> => {
      try {
        await work();
      } catch (error) {
        failures.set(entry.spec.name, { stage: 'run', message: messageOf(error) });
        log(`  ${entry.spec.name}: FAILED while running: ${messageOf(error)}`);
      }
    };
    for (const entry of alive()) {
      await guarded(entry, () => runOps(entry.contender.op, config.warmupOps));
      entry.contender.takeSamples?.();
    }
    for (let round = 0; round < config.rounds; round++) {
      const rotated = rotate(alive(), round);
      for (const [position, entry] of rotated.entries()) {
        collectGarbage();
        await guarded(entry, async () => {
          const op = entry.contender.op;
          await runOps(op, config.roundWarmupOps);
          entry.contender.takeSamples?.();
          const run = await timeRun(op, config);
          keepSamples(entry);
          entry.rounds.push({
            round,
            position,
            ops: run.ops,
            elapsedNs: run.elapsedNs,
            opsPerSec: run.elapsedNs > 0 ? (run.ops * 1e9) / run.elapsedNs : 0,
          });
          if (scenario.latency && config.latencySamples > 0) {
            await sampleLatencies(op, config.latencySamples, entry.latencies);
            entry.contender.takeSamples?.();
          }
        });
      }
      log(`  round ${round + 1}/${config.rounds}: ${roundLine(rotated, round, setup.unit)}`);
    }
  } finally {
    for (const contender of started) {
      try {
        await contender.close();
      } catch (error) {
        log(`  ${contender.name}: close failed: ${messageOf(error)}`);
      }
    }
    await setup.teardown();
  }
  return summarizeScenario({
    scenario,
    config,
    specs: setup.contenders,
    measured,
    failures,
    findings: setup.findings?.() ?? [],
    unit: setup.unit,
    timerOverheadNs: scenario.latency ? timerOverheadNs() : 0,
    durationMs: performance.now() - began,
  });
}

/** Appends what the contender measured during a timed run to its samples. */
function keepSamples(entry: Measured): void {
  const taken = entry.contender.takeSamples?.() ?? {};
  for (const [metric, values] of Object.entries(taken)) {
    const kept = entry.samples.get(metric);
    if (kept === undefined) entry.samples.set(metric, [...values]);
    else kept.push(...values);
  }
}

function roundLine(order: readonly Measured[], round: number, unit: OpUnit | undefined): string {
  return order
    .map((entry) => {
      const result = entry.rounds.find((r) => r.round === round);
      const rate = result === undefined ? 'failed' : formatRate(result.opsPerSec, unit);
      return `${entry.spec.name} ${rate}`;
    })
    .join(', ');
}

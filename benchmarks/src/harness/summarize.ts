import { median, percentileOfSorted, summarizeRatios } from './stats.js';
import { checkMetricTargets, summarizeMetrics } from './summarize-metrics.js';
import type {
  Contender,
  ContenderResult,
  ContenderSpec,
  OpUnit,
  RatioSummary,
  RoundResult,
  RunConfig,
  Scenario,
  ScenarioResult,
  TargetResult,
} from './types.js';

/** A verified contender and what was measured of it. */
export interface Measured {
  readonly spec: ContenderSpec;
  readonly contender: Contender;
  readonly rounds: RoundResult[];
  readonly latencies: number[];
  /** What the contender measured itself during timed runs, by metric name. */
  readonly samples: Map<string, number[]>;
}

export interface SummaryInput {
  readonly scenario: Scenario;
  /** The sizes the scenario ran with. */
  readonly config: RunConfig;
  readonly specs: readonly ContenderSpec[];
  readonly measured: readonly Measured[];
  readonly failures: ReadonlyMap<string, NonNullable<ContenderResult['failure']>>;
  readonly findings: readonly string[];
  /** What one operation is made of, from the setup. */
  readonly unit: OpUnit | undefined;
  readonly timerOverheadNs: number;
  readonly durationMs: number;
}

/** Ops/s of each round a contender completed, by round index. */
type ByRound = ReadonlyMap<number, number>;

function byRound(rounds: readonly RoundResult[]): ByRound {
  return new Map(rounds.map((r) => [r.round, r.opsPerSec]));
}

/** Per-round ratios `mine / theirs` over the rounds both completed. */
function ratios(mine: ByRound, theirs: ByRound): RatioSummary | undefined {
  const perRound: number[] = [];
  for (const [round, ops] of mine) {
    const other = theirs.get(round);
    if (other !== undefined && other > 0) perRound.push(ops / other);
  }
  return perRound.length === 0 ? undefined : summarizeRatios(perRound);
}

/** Turns the raw measurements into the reported result: medians, percentiles, ratios, targets. */
export function summarizeScenario(input: SummaryInput): ScenarioResult {
  const { scenario, specs, measured, failures } = input;
  const ok = measured.filter((m) => !failures.has(m.spec.name) && m.rounds.length > 0);
  const rounds = new Map(ok.map((m) => [m.spec.name, byRound(m.rounds)]));
  const reference = specs.find((s) => s.role === 'reference')?.name;
  const referenceRounds = reference === undefined ? undefined : rounds.get(reference);
  const peers = ok.filter((m) => m.spec.role === 'peer');
  const bestPeerRounds = new Map<number, number>();
  for (const peer of peers) {
    for (const r of peer.rounds) {
      bestPeerRounds.set(r.round, Math.max(bestPeerRounds.get(r.round) ?? 0, r.opsPerSec));
    }
  }
  const medianOf = (m: Measured): number => median(m.rounds.map((r) => r.opsPerSec));
  const bestPeer = [...peers].sort((a, b) => medianOf(b) - medianOf(a))[0]?.spec.name;
  const metrics = summarizeMetrics(
    scenario.metrics ?? [],
    new Map(ok.map((m) => [m.spec.name, m.samples])),
    reference,
  );

  const contenders = specs.map((spec): ContenderResult => {
    const m = measured.find((entry) => entry.spec === spec);
    const failure = failures.get(spec.name);
    const base = { name: spec.name, role: spec.role, config: spec.config };
    if (failure !== undefined || m === undefined || m.rounds.length === 0) {
      return {
        ...base,
        status: 'failed',
        failure: failure ?? { stage: 'run', message: 'no round completed' },
        rounds: m?.rounds ?? [],
        medianOpsPerSec: Number.NaN,
        minOpsPerSec: Number.NaN,
        maxOpsPerSec: Number.NaN,
      };
    }
    const rates = m.rounds.map((r) => r.opsPerSec);
    const mine = rounds.get(spec.name) ?? new Map();
    const sorted = [...m.latencies].sort((a, b) => a - b);
    const vsReference = referenceRounds === undefined ? undefined : ratios(mine, referenceRounds);
    const vsBestPeer = bestPeerRounds.size === 0 ? undefined : ratios(mine, bestPeerRounds);
    const measuredMetrics = metrics.get(spec.name) ?? [];
    return {
      ...base,
      status: 'ok',
      rounds: m.rounds,
      medianOpsPerSec: median(rates),
      minOpsPerSec: Math.min(...rates),
      maxOpsPerSec: Math.max(...rates),
      ...(sorted.length === 0
        ? {}
        : {
            latency: {
              samples: sorted.length,
              p50Ns: percentileOfSorted(sorted, 50),
              p99Ns: percentileOfSorted(sorted, 99),
            },
          }),
      ...(vsReference === undefined ? {} : { vsReference }),
      ...(vsBestPeer === undefined ? {} : { vsBestPeer }),
      ...(measuredMetrics.length === 0 ? {} : { metrics: measuredMetrics }),
    };
  });

  const targets = scenario.targets.map((target): TargetResult => {
    const result = contenders.find((c) => c.name === target.contender);
    const ratio = target.against === 'reference' ? result?.vsReference : result?.vsBestPeer;
    const value = ratio?.median;
    return { ...target, median: value, met: value !== undefined && value >= target.atLeast };
  });

  return {
    id: scenario.id,
    name: scenario.name,
    title: scenario.title,
    reference,
    bestPeer,
    contenders,
    targets,
    metrics: scenario.metrics ?? [],
    metricTargets: checkMetricTargets(scenario.metricTargets ?? [], contenders),
    findings: input.findings,
    config: input.config,
    ...(input.unit === undefined ? {} : { unit: input.unit }),
    ...(scenario.ratesCompared === false ? { ratesCompared: false as const } : {}),
    timerOverheadNs: input.timerOverheadNs,
    durationMs: input.durationMs,
  };
}

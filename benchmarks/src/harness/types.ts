/**
 * What a contender is to the scenario: the library under test, a peer library, or the
 * reference the other contenders' ratios are computed against.
 */
export type Role = 'subject' | 'peer' | 'reference';

/** A started contender: one operation to time, and how to release what it holds. */
export interface Contender {
  readonly name: string;
  readonly role: Role;
  /** One operation. The harness awaits each call before the next (sequential awaited calls). */
  readonly op: () => Promise<unknown>;
  /**
   * Values the contender measured itself since the last call, by metric name (a latency observed
   * across processes, a count of loader calls), which it then forgets. The harness drains it after
   * verification and warm-up (discarded) and after each timed run (kept): see
   * {@link Scenario.metrics}. Default: none.
   */
  takeSamples?(): Readonly<Record<string, readonly number[]>>;
  /** Releases clients, timers and servers the contender started. */
  close(): Promise<void>;
}

/** A contender not started yet: the scenario declares it, the harness starts and verifies it. */
export interface ContenderSpec {
  readonly name: string;
  readonly role: Role;
  /** How it is configured and why, one or two sentences (printed in the JSON report). */
  readonly config: string;
  start(): Promise<Contender>;
}

/** A ratio a scenario aims at (from TARGETS.md), checked on the median and reported, never asserted. */
export interface RatioTarget {
  /** The contender whose ratio is checked. */
  readonly contender: string;
  /** `'reference'`: the scenario's reference contender; `'best-peer'`: the fastest peer of each round. */
  readonly against: 'reference' | 'best-peer';
  /** The median ratio must be at least this. */
  readonly atLeast: number;
}

/**
 * What one operation is made of, when it is many of something (B7: one op is a burst of HTTP
 * requests): the report then gives rates in that unit (`req/s`), ops/s times `perOp`. Ratios are
 * the same either way: every contender's operation is the same size.
 */
export interface OpUnit {
  /** Singular, short: `'req'`. */
  readonly name: string;
  /** How many of them one operation is. */
  readonly perOp: number;
}

/** What a scenario's setup hands to the harness. */
export interface ScenarioSetup {
  readonly contenders: readonly ContenderSpec[];
  /** What one operation is made of (see {@link OpUnit}). Default: one operation, `ops/s`. */
  readonly unit?: OpUnit;
  /**
   * Proves a started contender returns the correct value (and, where the scenario says so, that
   * it takes the path being measured). Throws to fail it: a failed contender is reported, never
   * timed.
   */
  verify(contender: Contender): Promise<void>;
  /** Stops what setup started (servers). Runs after every contender is closed. */
  teardown(): Promise<void>;
  /**
   * What verification found that is worth reporting without failing anyone (a peer that keeps
   * serving a value another instance overwrote), one sentence each. Read after the rounds.
   */
  findings?(): readonly string[];
}

/** A value contenders measure themselves (see {@link Contender.takeSamples}). */
export interface MetricSpec {
  /** Kebab-case key of the samples, e.g. `'all-dropped'`. */
  readonly name: string;
  /** Unit of the samples, printed as is (`'ms'`, `'calls'`). */
  readonly unit: string;
  /** One line: what one sample is. */
  readonly description: string;
}

/** A bound on a metric's statistic (from TARGETS.md), checked and reported, never asserted. */
export interface MetricTarget {
  readonly contender: string;
  readonly metric: string;
  readonly statistic: 'p50' | 'p99' | 'max';
  /** The statistic must be at most this (in the metric's unit). */
  readonly atMost: number;
}

/** Options a scenario may read to size itself. */
export interface ScenarioOptions {
  /** Tiny sizes for the smoke run. */
  readonly quick: boolean;
}

/** One benchmark scenario: a file in `src/scenarios/` whose default export is this. */
export interface Scenario {
  /** Short id from TARGETS.md, e.g. `'B1'`. */
  readonly id: string;
  /** Kebab-case name, e.g. `'l1-hit'`. Selects the scenario on the command line, with the id. */
  readonly name: string;
  /** One line: what one operation is. */
  readonly title: string;
  /** Measure per-operation latency (p50/p99) besides throughput. */
  readonly latency: boolean;
  readonly targets: readonly RatioTarget[];
  /** Values the contenders measure themselves, summarized as p50/p99/max. Default: none. */
  readonly metrics?: readonly MetricSpec[];
  /** Bounds on those values. Default: none. */
  readonly metricTargets?: readonly MetricTarget[];
  /**
   * Sizes the run for operations far slower than a cache read (a round across processes): gets
   * the run's configuration (full or quick, with the command line's overrides) and returns the
   * one this scenario runs with. Default: the run's configuration as is.
   */
  sizeRun?(config: RunConfig): RunConfig;
  /**
   * `false` when the rate of an operation is not what the scenario compares (B5: an operation
   * includes populating the keys its metric leaves out; B9: an operation is a whole run with a
   * soak): the report then shows rates as context only and names no contender "behind" on them.
   * Default: true.
   */
  readonly ratesCompared?: boolean;
  setup(options: ScenarioOptions): Promise<ScenarioSetup>;
}

/** How long and how often contenders are timed. */
export interface RunConfig {
  /** Rounds; each runs every contender once, in an order rotated by one each round. */
  readonly rounds: number;
  /** Operations before the first round, per contender (JIT, connection and cache warm-up). */
  readonly warmupOps: number;
  /** Operations before each timed run (not timed). */
  readonly roundWarmupOps: number;
  /** A timed run is this many operations, or lasts `timeMs` when `ops` is undefined. */
  readonly ops: number | undefined;
  /** Time budget of a timed run, in ms (when `ops` is undefined). */
  readonly timeMs: number;
  /** Operations timed one by one each round, for p50/p99 (0: none). */
  readonly latencySamples: number;
  /** Tiny sizes (passed to the scenarios). */
  readonly quick: boolean;
}

/** One timed run of a contender (one per round). */
export interface RoundResult {
  readonly round: number;
  /** Position in the round's order (0 first). */
  readonly position: number;
  readonly ops: number;
  readonly elapsedNs: number;
  readonly opsPerSec: number;
}

export interface LatencySummary {
  readonly samples: number;
  readonly p50Ns: number;
  readonly p99Ns: number;
}

/** A ratio over the rounds: each round's ratio, its median and spread. */
export interface RatioSummary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly perRound: readonly number[];
}

/** The samples of one metric of one contender, over every timed run. */
export interface MetricSummary {
  readonly name: string;
  readonly unit: string;
  readonly samples: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** This contender's p50 and p99 over the reference's (pooled over the rounds). */
  readonly vsReference?: { readonly p50: number; readonly p99: number };
  /** Every sample, in the order measured. */
  readonly values: readonly number[];
}

export interface ContenderResult {
  readonly name: string;
  readonly role: Role;
  readonly config: string;
  /** `'ok'`: verified and timed in every round. */
  readonly status: 'ok' | 'failed';
  /** Where it failed (`'start'`, `'verify'`, `'run'`) and why. */
  readonly failure?: { readonly stage: 'start' | 'verify' | 'run'; readonly message: string };
  readonly rounds: readonly RoundResult[];
  readonly medianOpsPerSec: number;
  readonly minOpsPerSec: number;
  readonly maxOpsPerSec: number;
  readonly latency?: LatencySummary;
  /** Ratio of ops/s to the reference contender, per round. */
  readonly vsReference?: RatioSummary;
  /** Ratio of ops/s to the fastest peer of each round. */
  readonly vsBestPeer?: RatioSummary;
  /** The values it measured itself (the scenario's metrics). */
  readonly metrics?: readonly MetricSummary[];
}

export interface TargetResult extends RatioTarget {
  /** The median ratio, or undefined when a side failed. */
  readonly median: number | undefined;
  readonly met: boolean;
}

export interface MetricTargetResult extends MetricTarget {
  /** The statistic, or undefined when the contender failed or measured nothing. */
  readonly value: number | undefined;
  readonly met: boolean;
}

export interface ScenarioResult {
  readonly id: string;
  readonly name: string;
  readonly title: string;
  readonly reference: string | undefined;
  /** The peer with the highest median ops/s. */
  readonly bestPeer: string | undefined;
  readonly contenders: readonly ContenderResult[];
  readonly targets: readonly TargetResult[];
  /** The metrics the contenders measured themselves (their values are in each contender's result). */
  readonly metrics: readonly MetricSpec[];
  readonly metricTargets: readonly MetricTargetResult[];
  /** What verification found worth reporting (see {@link ScenarioSetup.findings}). */
  readonly findings: readonly string[];
  /** The sizes this scenario ran with (see {@link Scenario.sizeRun}). */
  readonly config: RunConfig;
  /**
   * What one operation is made of, when the setup said so: rates in the report are then
   * `perOp` times the ops/s recorded here (every `opsPerSec` in this result stays per operation).
   */
  readonly unit?: OpUnit;
  /** Present and false when the scenario's rates are context only (see {@link Scenario.ratesCompared}). */
  readonly ratesCompared?: false;
  /** Cost of one `process.hrtime.bigint()` pair, included in every latency sample. */
  readonly timerOverheadNs: number;
  readonly durationMs: number;
}

export interface RunReport {
  readonly startedAt: string;
  readonly durationMs: number;
  readonly mode: 'quick' | 'full';
  readonly config: RunConfig;
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly gcExposed: boolean;
  };
  readonly scenarios: readonly ScenarioResult[];
}

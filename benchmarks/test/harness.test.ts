import { describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli-args.js';
import { FULL, QUICK } from '../src/harness/config.js';
import { formatRate } from '../src/harness/format.js';
import { scenarioTable } from '../src/harness/report-table.js';
import { runScenario } from '../src/harness/run-scenario.js';
import type { Contender, ContenderSpec, Role, Scenario } from '../src/harness/types.js';
import { check } from '../src/harness/verify.js';

const CONFIG = {
  ...QUICK,
  rounds: 3,
  ops: 50,
  warmupOps: 5,
  roundWarmupOps: 5,
  latencySamples: 10,
};

/** A contender whose op answers `answer` (or throws at start when told to). */
function spec(name: string, role: Role, answer: unknown, closed: string[], startFails = false) {
  return {
    name,
    role,
    config: `${name} test contender`,
    async start(): Promise<Contender> {
      if (startFails) throw new Error(`${name} cannot start`);
      return {
        name,
        role,
        op: async () => answer,
        close: async () => {
          closed.push(name);
        },
      };
    },
  } satisfies ContenderSpec;
}

function scenario(specs: readonly ContenderSpec[], tornDown: string[]): Scenario {
  return {
    id: 'T1',
    name: 'harness-test',
    title: 'in-memory contenders',
    latency: true,
    targets: [{ contender: 'subject', against: 'reference', atLeast: 0.000_001 }],
    async setup() {
      return {
        contenders: specs,
        async verify(contender) {
          check((await contender.op()) === 42, `${contender.name} did not answer 42`);
        },
        async teardown() {
          tornDown.push('teardown');
        },
      };
    },
  };
}

describe('runScenario', () => {
  it('reports contenders that fail to start or to verify as failed, never timed', async () => {
    const closed: string[] = [];
    const tornDown: string[] = [];
    const result = await runScenario(
      scenario(
        [
          spec('subject', 'subject', 42, closed),
          spec('wrong', 'peer', 41, closed),
          spec('broken', 'peer', 42, closed, true),
          spec('reference', 'reference', 42, closed),
        ],
        tornDown,
      ),
      CONFIG,
    );
    const byName = new Map(result.contenders.map((c) => [c.name, c]));
    expect(byName.get('wrong')).toMatchObject({ status: 'failed', rounds: [] });
    expect(byName.get('wrong')?.failure).toEqual({
      stage: 'verify',
      message: 'VerificationError: wrong did not answer 42',
    });
    expect(byName.get('broken')?.failure?.stage).toBe('start');
    expect(byName.get('subject')?.status).toBe('ok');
    expect(byName.get('subject')?.vsReference?.perRound).toHaveLength(3);
    expect(byName.get('reference')?.vsReference?.median).toBe(1);
    expect(result.bestPeer).toBeUndefined();
    expect(result.targets[0]?.met).toBe(true);
    expect(closed.sort()).toEqual(['reference', 'subject', 'wrong']);
    expect(tornDown).toEqual(['teardown']);
  });

  it('runs every contender once a round, the order rotated by one place each round', async () => {
    const result = await runScenario(
      scenario(
        ['a', 'b', 'c'].map((name) => spec(name, name === 'a' ? 'reference' : 'peer', 42, [])),
        [],
      ),
      CONFIG,
    );
    const positions = result.contenders.map((c) => c.rounds.map((r) => r.position));
    expect(positions).toEqual([
      [0, 2, 1],
      [1, 0, 2],
      [2, 1, 0],
    ]);
    for (const c of result.contenders) {
      expect(c.rounds.every((r) => r.ops === CONFIG.ops && r.opsPerSec > 0)).toBe(true);
      expect(c.latency?.samples).toBe(CONFIG.latencySamples * CONFIG.rounds);
      expect(c.vsBestPeer?.perRound).toHaveLength(3);
    }
    expect(['b', 'c']).toContain(result.bestPeer);
  });

  it('reports rates in the unit one operation is made of, when the setup gives one', async () => {
    const base = scenario(
      [spec('subject', 'subject', 42, []), spec('reference', 'reference', 42, [])],
      [],
    );
    const result = await runScenario(
      {
        ...base,
        async setup(options) {
          return { ...(await base.setup(options)), unit: { name: 'req', perOp: 1_000 } };
        },
      },
      CONFIG,
    );
    expect(result.unit).toEqual({ name: 'req', perOp: 1_000 });
    const subject = result.contenders.find((c) => c.name === 'subject');
    // The recorded rates stay per operation; the table multiplies them.
    expect(subject?.rounds.every((r) => r.opsPerSec === (r.ops * 1e9) / r.elapsedNs)).toBe(true);
    const table = scenarioTable(result, CONFIG);
    expect(table).toMatch(/one op is 1,000 req: rates in req\/s/);
    expect(table).toContain(formatRate(subject?.medianOpsPerSec ?? 0, result.unit));
    expect(table).not.toMatch(/ops\/s/);
    expect(formatRate(2.5, { name: 'req', perOp: 10_000 })).toBe('25.0k req/s');
  });

  it('marks a contender that throws while timed as failed and keeps timing the others', async () => {
    let calls = 0;
    const flaky: ContenderSpec = {
      name: 'flaky',
      role: 'peer',
      config: 'throws after its warm-up',
      start: async () => ({
        name: 'flaky',
        role: 'peer',
        op: async () => {
          calls++;
          if (calls > 20) throw new Error('connection lost');
          return 42;
        },
        close: async () => {},
      }),
    };
    const result = await runScenario(
      scenario([flaky, spec('reference', 'reference', 42, [])], []),
      CONFIG,
    );
    expect(result.contenders[0]?.failure).toEqual({
      stage: 'run',
      message: 'Error: connection lost',
    });
    expect(result.contenders[1]?.rounds).toHaveLength(3);
  });
});

describe('metrics a contender measures itself', () => {
  /** Each op records `value`, then `value + 1`, …; takeSamples drains what was recorded. */
  function counting(name: string, role: Role, first: number, drained: number[][]): ContenderSpec {
    return {
      name,
      role,
      config: `${name} counting contender`,
      async start(): Promise<Contender> {
        let next = first;
        let recorded: number[] = [];
        return {
          name,
          role,
          op: async () => {
            recorded.push(next++);
            return 42;
          },
          takeSamples() {
            drained.push(recorded);
            const taken = { delay: recorded };
            recorded = [];
            return taken;
          },
          close: async () => {},
        };
      },
    };
  }

  it('keeps only samples of timed runs, summarizes them, checks bounds, sizes the run, passes findings', async () => {
    const drained: number[][] = [];
    const base = scenario(
      [counting('subject', 'subject', 1000, drained), counting('reference', 'reference', 0, [])],
      [],
    );
    const result = await runScenario(
      {
        ...base,
        latency: false,
        metrics: [{ name: 'delay', unit: 'ms', description: 'a counter' }],
        metricTargets: [
          { contender: 'subject', metric: 'delay', statistic: 'p50', atMost: 10_000 },
          { contender: 'subject', metric: 'delay', statistic: 'max', atMost: 1 },
          { contender: 'nobody', metric: 'delay', statistic: 'p99', atMost: 1 },
        ],
        sizeRun: (config) => ({ ...config, ops: 4, warmupOps: 3, roundWarmupOps: 2 }),
        async setup(options) {
          const setup = await base.setup(options);
          return { ...setup, findings: () => ['subject: noted'] };
        },
      },
      CONFIG,
    );
    expect(result.config).toMatchObject({ ops: 4, warmupOps: 3, roundWarmupOps: 2, rounds: 3 });
    const subject = result.contenders.find((c) => c.name === 'subject');
    // verify: 1 op, warm-up: 3, then per round 2 untimed + 4 timed: only the timed ones are kept.
    expect(subject?.metrics?.[0]?.values).toEqual([
      1006, 1007, 1008, 1009, 1012, 1013, 1014, 1015, 1018, 1019, 1020, 1021,
    ]);
    expect(subject?.metrics?.[0]).toMatchObject({
      name: 'delay',
      unit: 'ms',
      samples: 12,
      p50: 1013,
      p99: 1021,
      max: 1021,
    });
    expect(drained.slice(0, 2)).toEqual([[1000], [1001, 1002, 1003]]);
    const reference = result.contenders.find((c) => c.name === 'reference');
    expect(reference?.metrics?.[0]?.p50).toBe(13);
    expect(subject?.metrics?.[0]?.vsReference?.p50).toBeCloseTo(1013 / 13);
    expect(result.metricTargets.map((t) => [t.statistic, t.value, t.met])).toEqual([
      ['p50', 1013, true],
      ['max', 1021, false],
      ['p99', undefined, false],
    ]);
    expect(result.findings).toEqual(['subject: noted']);
  });
});

describe('parseCli', () => {
  it('defaults to the full run and takes scenario names', () => {
    const request = parseCli(['b1', 'l1-hit']);
    expect(request.config).toEqual(FULL);
    expect(request.scenarios).toEqual(['b1', 'l1-hit']);
    expect(request.save).toBe(true);
  });

  it('--quick uses fixed op counts; --time-ms switches back to a time budget', () => {
    expect(parseCli(['--quick']).config).toEqual(QUICK);
    expect(parseCli(['--quick', '--time-ms', '300']).config).toMatchObject({
      ops: undefined,
      timeMs: 300,
      rounds: QUICK.rounds,
    });
    expect(parseCli(['--rounds', '9', '--ops', '1000', '--no-save']).config).toMatchObject({
      rounds: 9,
      ops: 1000,
    });
  });

  it('rejects a bad number or an unknown flag, naming it', () => {
    expect(() => parseCli(['--rounds', '0'])).toThrow(/--rounds expects a positive integer/);
    expect(() => parseCli(['--round', '3'])).toThrow(/--round/);
  });
});

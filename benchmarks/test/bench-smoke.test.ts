import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { QUICK } from '../src/harness/config.js';
import { writeReport } from '../src/harness/report-json.js';
import { runTable } from '../src/harness/report-table.js';
import { failedContenders, runBenchmarks } from '../src/harness/run.js';
import type { RunReport } from '../src/harness/types.js';
import { workerEntry } from '../src/processes/worker-client.js';
import { allScenarios } from '../src/registry.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Keeps the benchmarks working; asserts no performance figure (TARGETS.md: ratios live in
// `npm run bench`, never in timed tests).
describe('npm run bench -- --quick, in process', () => {
  it('verifies every contender of every scenario, times each in every round, and reports', async () => {
    // B4 and B6 fork worker processes, which run from the build.
    expect(
      existsSync(workerEntry()),
      'benchmarks/ is not built: run `npm test` (it builds first)',
    ).toBe(true);
    const scenarios = allScenarios();
    expect(scenarios.map((s) => s.id)).toEqual(
      expect.arrayContaining(['B1', 'B4', 'B6', 'B7', 'B8']),
    );

    const report = await runBenchmarks(scenarios, QUICK);

    expect(failedContenders(report)).toEqual([]);
    for (const scenario of report.scenarios) {
      expect(scenario.contenders.length).toBeGreaterThan(1);
      const { rounds, ops } = scenario.config;
      expect(rounds).toBe(QUICK.rounds);
      for (const contender of scenario.contenders) {
        const where = `${scenario.name}/${contender.name}`;
        expect(contender.status, where).toBe('ok');
        expect(
          contender.rounds.map((r) => r.round),
          where,
        ).toEqual([0, 1]);
        for (const round of contender.rounds) {
          expect(round.ops, where).toBe(ops);
          expect(round.opsPerSec, where).toBeGreaterThan(0);
        }
        expect(contender.medianOpsPerSec, where).toBeGreaterThan(0);
        if (scenario.reference !== undefined) {
          expect(contender.vsReference?.perRound, where).toHaveLength(QUICK.rounds);
        }
        // Every declared metric was measured in every timed operation.
        const perOp = (ops ?? 0) * rounds;
        for (const metric of scenario.metrics) {
          const measured = contender.metrics?.find((m) => m.name === metric.name);
          expect(measured?.samples, `${where} ${metric.name}`).toBeGreaterThanOrEqual(perOp);
          expect(measured?.values.every(Number.isFinite), `${where} ${metric.name}`).toBe(true);
        }
      }
      expect(scenario.targets.every((t) => t.median !== undefined)).toBe(true);
      expect(scenario.metricTargets.every((t) => t.value !== undefined)).toBe(true);
    }
    const b1 = report.scenarios.find((s) => s.id === 'B1');
    expect(b1?.reference).toBe('hand-written');
    expect(b1?.contenders.map((c) => c.name).sort()).toEqual(
      ['async-cache-dedupe', 'cache-manager', 'cachekit', 'hand-written'].sort(),
    );
    expect(b1?.contenders.every((c) => (c.latency?.samples ?? 0) > 0)).toBe(true);
    // One cross-instance finding per contender; the subject and the reference must be correct.
    for (const name of ['cachekit', 'hand-written']) {
      expect(b1?.findings).toContainEqual(expect.stringMatching(`^${name}: correct across`));
    }
    expect(b1?.findings).toHaveLength(4);

    const b6 = report.scenarios.find((s) => s.id === 'B6');
    expect(b6?.reference).toBe('hand-written');
    const b6Metric = (contender: string, metric: string) =>
      b6?.contenders.find((c) => c.name === contender)?.metrics?.find((m) => m.name === metric);
    for (const contender of ['cachekit', 'hand-written']) {
      const all = b6Metric(contender, 'all-dropped');
      expect(all?.samples).toBeGreaterThanOrEqual(20);
      // Three other processes a round.
      expect(b6Metric(contender, 'each-dropped')?.samples).toBe((all?.samples ?? 0) * 3);
    }
    expect(b6Metric('cachekit', 'all-dropped')?.vsReference?.p50).toBeGreaterThan(0);

    const b4 = report.scenarios.find((s) => s.id === 'B4');
    expect(b4?.contenders.map((c) => c.name).sort()).toEqual([
      'cachekit-1-process',
      'cachekit-4-processes-lock',
    ]);
    // One process: its single flight runs the loader exactly once (a correctness property).
    const inProcess = b4?.contenders.find((c) => c.name === 'cachekit-1-process');
    expect(inProcess?.metrics?.find((m) => m.name === 'loader-calls')?.values).toEqual([1, 1]);

    const b7 = report.scenarios.find((s) => s.id === 'B7');
    expect(b7?.reference).toBe('constant');
    // The uncached route is the only peer: "vs best peer" is vs it (the >= 10x target).
    expect(b7?.bestPeer).toBe('uncached-20ms');
    expect(b7?.contenders.map((c) => c.name).sort()).toEqual(
      ['cached-20ms-source', 'cached-l1', 'cached-l2', 'constant', 'uncached-20ms'].sort(),
    );
    // One op is one burst of 300 requests: the report gives requests/s.
    expect(b7?.unit).toEqual({ name: 'req', perOp: 300 });
    expect(b7?.config.ops).toBe(1);
    for (const contender of b7?.contenders ?? []) {
      const latencies = contender.metrics?.find((m) => m.name === 'latency-p50')?.values ?? [];
      expect(latencies, contender.name).toHaveLength(QUICK.rounds);
    }

    const b8 = report.scenarios.find((s) => s.id === 'B8');
    expect(b8?.reference).toBe('cachekit');
    expect(b8?.contenders.map((c) => c.name).sort()).toEqual([
      'cachekit',
      'cachekit+hit-listener',
      'cachekit+metrics',
    ]);
    expect(b8?.contenders.every((c) => (c.latency?.samples ?? 0) > 0)).toBe(true);

    const table = runTable(report);
    expect(table).toMatch(/B1 l1-hit/);
    expect(table).toMatch(/vs hand-written/);
    expect(table).toMatch(/B6 invalidation-latency/);
    expect(table).toMatch(/cachekit all-dropped p50 <= 0\.600 ms: [\d.]+ ms (met|MISSED)/);
    expect(table).toMatch(/findings:\n {2}cachekit: correct across instances/);
    expect(table).toMatch(/B7 fastify-route/);
    expect(table).toMatch(
      /cached-20ms-source >= 10x best peer \(uncached-20ms\): [\d.]+x (met|MISSED)/,
    );
    expect(table).toMatch(/B8 metrics-overhead/);

    const dir = await mkdtemp(join(tmpdir(), 'cachekit-bench-'));
    try {
      const path = await writeReport(report, dir);
      const saved = JSON.parse(await readFile(path, 'utf8')) as RunReport;
      expect(saved.mode).toBe('quick');
      expect(saved.scenarios.map((s) => s.id)).toEqual(report.scenarios.map((s) => s.id));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('the built CLI', () => {
  it('finds the scenarios in the bundle, as `npm run bench` runs it', async () => {
    const cli = join(packageDir, 'dist', 'cli.js');
    expect(existsSync(cli), 'benchmarks/ is not built: run `npm test` (it builds first)').toBe(
      true,
    );
    const { stdout } = await run(process.execPath, [cli, '--list'], { cwd: packageDir });
    for (const scenario of allScenarios()) {
      expect(stdout).toContain(`${scenario.id.toLowerCase()}  ${scenario.name}`);
    }
  });
});

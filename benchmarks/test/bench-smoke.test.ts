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
import { allScenarios } from '../src/registry.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Keeps the benchmarks working; asserts no performance figure (TARGETS.md: ratios live in
// `npm run bench`, never in timed tests).
describe('npm run bench -- --quick, in process', () => {
  it('verifies every contender of every scenario, times each in every round, and reports', async () => {
    const scenarios = allScenarios();
    expect(scenarios.map((s) => s.id)).toContain('B1');

    const report = await runBenchmarks(scenarios, QUICK);

    expect(failedContenders(report)).toEqual([]);
    for (const scenario of report.scenarios) {
      expect(scenario.contenders.length).toBeGreaterThan(1);
      for (const contender of scenario.contenders) {
        const where = `${scenario.name}/${contender.name}`;
        expect(contender.status, where).toBe('ok');
        expect(
          contender.rounds.map((r) => r.round),
          where,
        ).toEqual([0, 1]);
        for (const round of contender.rounds) {
          expect(round.ops, where).toBe(QUICK.ops);
          expect(round.opsPerSec, where).toBeGreaterThan(0);
        }
        expect(contender.medianOpsPerSec, where).toBeGreaterThan(0);
        if (scenario.reference !== undefined) {
          expect(contender.vsReference?.perRound, where).toHaveLength(QUICK.rounds);
        }
      }
      expect(scenario.targets.every((t) => t.median !== undefined)).toBe(true);
    }
    const b1 = report.scenarios.find((s) => s.id === 'B1');
    expect(b1?.reference).toBe('hand-written');
    expect(b1?.contenders.map((c) => c.name).sort()).toEqual(
      ['async-cache-dedupe', 'cache-manager', 'cachekit', 'hand-written'].sort(),
    );
    expect(b1?.contenders.every((c) => (c.latency?.samples ?? 0) > 0)).toBe(true);

    const table = runTable(report);
    expect(table).toMatch(/B1 l1-hit/);
    expect(table).toMatch(/vs hand-written/);

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

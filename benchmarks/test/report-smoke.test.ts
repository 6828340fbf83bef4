import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedRun } from '../src/report/types.js';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const cli = join(packageDir, 'dist', 'cli.js');
const committedReport = join(packageDir, 'RESULTS.md');

async function contentOf(path: string): Promise<string | undefined> {
  return existsSync(path) ? readFile(path, 'utf8') : undefined;
}

/** Runs the built CLI as `npm run bench` does; resolves with its output, whatever its exit code. */
async function bench(args: readonly string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--expose-gc', cli, ...args], {
      cwd: packageDir,
      timeout: 90_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

// The quick run through the built CLI, as `npm run bench -- --quick` runs it (two scenarios, to
// stay short: bench-smoke.test.ts runs every scenario in process). Asserts no performance figure.
describe('npm run bench -- --quick writes the JSON, then the quick report and its charts', () => {
  let dir: string;
  let before: string | undefined;
  let result: Awaited<ReturnType<typeof bench>>;

  beforeAll(async () => {
    expect(existsSync(cli), 'benchmarks/ is not built: run `npm test` (it builds first)').toBe(
      true,
    );
    dir = await mkdtemp(join(tmpdir(), 'cachekit-report-smoke-'));
    before = await contentOf(committedReport);
    result = await bench(['--quick', 'b1', 'b6', '--out', dir]);
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes RESULTS-quick.md with every scenario it ran, its charts, and leaves RESULTS.md alone', async () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/report: .*RESULTS-quick\.md/);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(files).toContain('RESULTS-quick.md');

    const md = await readFile(join(dir, 'RESULTS-quick.md'), 'utf8');
    expect(md).toMatch(/^# cachekit benchmark results \(quick mode\)/);
    expect(md).toContain('## Summary');
    expect(md).toContain('## B1 l1-hit');
    expect(md).toContain('## B6 invalidation-latency');
    expect(md).toMatch(/\| B1 l1-hit \| cachekit >= 0\.5x hand-written \| [\d.]+x \|/);
    expect(md).toMatch(/\| Redis \| \d+\.\d+\.\d+;/);
    expect(md).toContain(
      '| command | `node --expose-gc benchmarks/dist/cli.js --quick b1 b6 --out ',
    );
    expect(md).toMatch(/\| `ioredis` \| \d+\.\d+\.\d+ \|/);
    expect(md).toContain('## Closing note: the gaps');

    const charts = (await readdir(join(dir, 'RESULTS-quick-charts'))).sort();
    expect(charts).toEqual([
      'b1-l1-hit-p99.svg',
      'b1-l1-hit-throughput.svg',
      'b6-invalidation-latency-p99.svg',
      'b6-invalidation-latency-throughput.svg',
    ]);
    for (const chart of charts) {
      expect(md).toContain(`(RESULTS-quick-charts/${chart})`);
      const svg = await readFile(join(dir, 'RESULTS-quick-charts', chart), 'utf8');
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*>/);
      expect(svg.trimEnd()).toMatch(/<\/svg>$/);
      const contenders = chart.startsWith('b1') ? 4 : 2;
      expect(svg.match(/<rect class="bar"/g), chart).toHaveLength(contenders);
    }
    expect(await contentOf(committedReport)).toBe(before);
  });

  it('records Redis, the package versions and the command in the JSON', async () => {
    const json = (await readdir(dir)).find((f) => f.endsWith('.json')) ?? '';
    const saved = JSON.parse(await readFile(join(dir, json), 'utf8')) as RecordedRun;
    expect(saved.mode).toBe('quick');
    expect(saved.environment.redis).toMatch(/^\d+\.\d+\.\d+/);
    expect(saved.environment.packages?.find((p) => p.name === 'bentocache')?.version).toMatch(
      /^\d+\.\d+\.\d+/,
    );
    expect(saved.invocation?.argv).toEqual(['--quick', 'b1', 'b6', '--out', dir]);
    expect(saved.invocation?.command).toMatch(
      /^node --expose-gc benchmarks\/dist\/cli\.js --quick/,
    );
  });

  it('--report-only regenerates the same report from the JSON, without running', async () => {
    const json = (await readdir(dir)).find((f) => f.endsWith('.json')) ?? '';
    const again = join(dir, 'again', 'report.md');
    const regenerated = await bench(['--report-only', join(dir, json), '--report-out', again]);
    expect(regenerated.code, regenerated.stderr).toBe(0);
    // No scenario ran: nothing on the progress log.
    expect(regenerated.stderr).toBe('');
    const original = await readFile(join(dir, 'RESULTS-quick.md'), 'utf8');
    const copy = await readFile(again, 'utf8');
    // Same report but for where its charts are and how to regenerate it.
    const normalize = (md: string) =>
      md
        .replace(/^Generated from .*$/m, '')
        .replaceAll('RESULTS-quick-charts/', 'CHARTS/')
        .replaceAll('report-charts/', 'CHARTS/');
    expect(normalize(copy)).toBe(normalize(original));
    expect((await readdir(join(dir, 'again', 'report-charts'))).sort()).toEqual(
      (await readdir(join(dir, 'RESULTS-quick-charts'))).sort(),
    );
  });

  it('--report-only with a file that is not a run fails with a message that says so', async () => {
    const bad = join(dir, 'not-a-run.json');
    await writeFile(bad, JSON.stringify({ hello: 'world' }));
    const failed = await bench(['--report-only', bad]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(/not-a-run\.json is not a benchmark run: no startedAt/);
    expect(failed.stderr).toContain('E_BENCH_REPORT_INPUT');
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli-args.js';
import { FULL, QUICK } from '../src/harness/config.js';
import { writeReport } from '../src/harness/report-json.js';
import type { ScenarioResult } from '../src/harness/types.js';
import { reportPlace } from '../src/report/destination.js';
import { ReportInputError } from '../src/report/errors.js';
import { gaps } from '../src/report/gaps.js';
import { loadRun, parseRun } from '../src/report/load-run.js';
import { packageVersions } from '../src/report/package-versions.js';
import { redisServerVersion } from '../src/report/record-run.js';
import type { RecordedRun } from '../src/report/types.js';
import { ratio, readScenario, run, writeFixture } from './report-fixture.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachekit-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the Markdown report', () => {
  it('has the summary of every target with met/MISSED, then each scenario, then the gaps', async () => {
    const written = await writeFixture(dir);
    const md = await readFile(written.markdown, 'utf8');

    expect(md).toMatch(/^# cachekit benchmark results\n/);
    expect(md).toContain('Generated from `results/run.json`');
    // The summary comes first and names every target with its measured value.
    const summary = md.indexOf('## Summary');
    expect(summary).toBeGreaterThan(0);
    expect(md).toContain('2 of 4 targets met, **2 MISSED**');
    expect(md).toContain(
      '| T1 l1-read | cachekit >= 0.5x hand-written | 0.40x | 0.36x-0.44x over 3 rounds | **MISSED** |',
    );
    expect(md).toContain(
      '| T1 l1-read | cachekit >= 3x the best peer (peer-a) | 4.00x | 3.60x-4.40x over 3 rounds | met |',
    );
    expect(md).toContain(
      "| T2 cross-process | cachekit all-dropped p99 <= 2 ms | 2.400 ms | 1.20x the bound; p99 1.60x hand-written's | **MISSED** |",
    );
    expect(md).toContain('| T2 cross-process | cachekit all-dropped p50 <= 1 ms | 0.900 ms |');

    // Where cachekit is behind, stated plainly: missed targets, behind a peer, failures.
    const behind = md.slice(md.indexOf('### Where cachekit is behind'), md.indexOf('## Machine'));
    expect(behind).toContain('- T1 l1-read: cachekit >= 0.5x hand-written: measured 0.40x');
    expect(behind).toContain('MISSED');
    expect(behind).toContain(
      '- T2 cross-process: cachekit is behind the best peer (peer-c): 0.70x of its throughput',
    );
    expect(behind).toContain('broken (peer) FAILED at verify: returned a stale value');

    // Machine, versions, command.
    expect(md).toContain('| CPU | Test CPU @ 2 GHz, 2 cores |');
    expect(md).toContain('| Redis | 7.0.15;');
    expect(md).toContain('| Node | v20.20.2');
    expect(md).toContain('| commit | `0123456789ab` with uncommitted changes |');
    expect(md).toContain('| npm script | `npm run bench` |');
    expect(md).toContain('| command | `node --expose-gc benchmarks/dist/cli.js` |');
    expect(md).toContain('| mode | full: 3 interleaved rounds;');
    expect(md).toContain('| `bentocache` | 1.6.1 |');
    expect(md).toContain('| `@cacheable/memory` (via `cacheable`) | 2.2.0 |');
    expect(md).toContain('| `@cachekit/core` | 0.0.0 (this repository) |');

    // Each scenario, after the summary, in order.
    const t1 = md.indexOf('## T1 l1-read');
    const t2 = md.indexOf('## T2 cross-process');
    expect(t1).toBeGreaterThan(summary);
    expect(t2).toBeGreaterThan(t1);
    const section1 = md.slice(t1, t2);
    expect(section1).toContain(
      '| contender | role | configuration (summary) | median ops/s | min .. max | p50 | p99 | vs hand-written (spread) | vs best peer (spread) |',
    );
    // A pipe in a configuration is escaped; the summary is the first sentence.
    expect(section1).toContain(
      '| `cachekit` | subject | createCache({ l1: true }) \\| piped <b>&</b> escaped. | 2.00M ops/s | 1.60M ops/s .. 2.40M ops/s | 300 ns | 900 ns | 0.40x (0.36x-0.44x) | 4.00x (3.60x-4.40x) |',
    );
    expect(section1).toContain(
      '- cachekit >= 0.5x hand-written: **0.40x** (0.36x-0.44x over 3 rounds): **MISSED**',
    );
    expect(section1).toContain('**Findings**\n\n- peer-a: NOT correct across instances');
    expect(section1).toContain('p50/p99 include ~30 ns of clock reads');
    // The full configuration too.
    expect(section1).toContain(
      '- `cachekit` (subject): createCache({ l1: true }) | piped <b>&</b> escaped. Second sentence.',
    );

    const section2 = md.slice(t2, md.indexOf('## Closing note'));
    // Rates in the scenario's unit; the failed contender is shown, not compared.
    expect(section2).toContain('median req/s');
    expect(section2).toContain('one op is 100 req: rates in req/s');
    expect(section2).not.toContain('clock reads');
    expect(section2).toContain(
      '| `cachekit` | subject | cachekit as its README says. | 4.0k req/s |',
    );
    expect(section2).toContain(
      '| `broken` | peer | broken as its README says. | FAILED at verify |',
    );
    expect(section2).toContain(
      '| `cachekit` | all-dropped | 30 | 0.900 ms | 2.400 ms | 3.600 ms | 1.50x | 1.60x |',
    );
    expect(section2).toContain('- cachekit all-dropped p99 <= 2 ms: **2.400 ms**');
    expect(section2).toContain('**MISSED**');

    // The closing note repeats the gaps with their ratios.
    const closing = md.slice(md.indexOf('## Closing note: the gaps'));
    expect(closing).toContain('cachekit is behind in 4 places in this run');
    expect(closing).toContain('measured 0.40x (0.36x-0.44x over 3 rounds), MISSED.');

    // Every chart it links exists.
    const links = [...md.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(links).toEqual([
      'charts/t1-l1-read-throughput.svg',
      'charts/t1-l1-read-p99.svg',
      'charts/t2-cross-process-throughput.svg',
      'charts/t2-cross-process-p99.svg',
    ]);
    for (const link of links) expect(existsSync(join(dir, link)), link).toBe(true);
    expect(written.charts).toHaveLength(4);
  });

  it('says when nothing is behind', async () => {
    const clean: RecordedRun = {
      ...run,
      scenarios: [
        {
          ...readScenario,
          targets: readScenario.targets.map((t) => ({ ...t, median: 5, met: true })),
        },
      ],
    };
    const written = await writeFixture(dir, 'clean.md', clean);
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toContain('2 of 2 targets met, **0 MISSED**');
    expect(md).toContain('Nowhere in this run: every target met');
    expect(md).not.toContain('**MISSED** |');
    expect(md).toContain('cachekit met every target of this run and no peer was faster.');
    expect(md).toContain('(clean-charts/t1-l1-read-throughput.svg)');
  });

  it('marks a quick run and reads what an older JSON lacks from the fallbacks', async () => {
    const { packages: _packages, redis: _redis, ...environment } = run.environment;
    const { invocation: _invocation, ...rest } = run;
    const older: RecordedRun = { ...rest, mode: 'quick', config: QUICK, environment };
    const written = await writeFixture(dir, 'RESULTS-quick.md', older, {
      redis: '7.2.4',
      packages: [{ name: 'ioredis', version: '6.0.0' }],
    });
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toMatch(/^# cachekit benchmark results \(quick mode\)\n\n> \*\*Quick mode\.\*\*/);
    expect(md).toContain(
      '| Redis | 7.2.4 (read when this report was generated, not recorded with the run);',
    );
    expect(md).toContain('Package versions (read when this report was generated');
    expect(md).toContain('| `ioredis` | 6.0.0 |');
    expect(md).toContain('| command | not recorded |');
  });
});

describe('gaps', () => {
  it('names a subject behind the best peer once, when a best-peer target already covers it', () => {
    const behind: ScenarioResult = {
      ...readScenario,
      contenders: readScenario.contenders.map((c) =>
        c.name === 'cachekit' ? { ...c, vsBestPeer: ratio(0.8) } : c,
      ),
      targets: [
        { contender: 'cachekit', against: 'best-peer', atLeast: 3, median: 0.8, met: false },
      ],
    };
    expect(gaps(behind)).toEqual([
      'T1 l1-read: cachekit >= 3x the best peer (peer-a): measured 0.80x (0.72x-0.88x over 3 rounds), MISSED.',
    ]);
    expect(gaps({ ...behind, targets: [] })).toEqual([
      'T1 l1-read: cachekit is behind the best peer (peer-a): 0.80x of its throughput (0.72x-0.88x over 3 rounds).',
    ]);
    expect(gaps(readScenario)).toHaveLength(1);
    // A scenario whose rates are context only (B5, B9) names nobody behind on them.
    expect(gaps({ ...behind, targets: [], ratesCompared: false })).toEqual([]);
  });
});

describe('where the report goes', () => {
  const ids = ['T1', 'T2'];
  const options = { packageDir: '/b', outDir: '/b/results', scenarioIds: ids };

  it('a full run of every scenario with >= 5 rounds: RESULTS.md and charts/ in the package', () => {
    const full = { ...run, config: { ...FULL, rounds: 5 } };
    expect(reportPlace(full, options)).toEqual({
      markdown: '/b/RESULTS.md',
      charts: '/b/charts',
    });
  });

  it('quick, a subset or fewer rounds never replace RESULTS.md', () => {
    expect(reportPlace({ ...run, mode: 'quick', config: QUICK }, options)).toEqual({
      markdown: '/b/results/RESULTS-quick.md',
      charts: '/b/results/RESULTS-quick-charts',
    });
    const subset = { ...run, config: FULL, scenarios: [readScenario] };
    expect(reportPlace(subset, options).markdown).toBe('/b/results/RESULTS-partial.md');
    // 3 rounds: too few to quote.
    expect(reportPlace(run, options).markdown).toBe('/b/results/RESULTS-partial.md');
    expect(reportPlace(run, { ...options, markdown: '/tmp/x/mine.md' })).toEqual({
      markdown: '/tmp/x/mine.md',
      charts: '/tmp/x/mine-charts',
    });
  });
});

describe('the run JSON', () => {
  it('round-trips through writeReport and loadRun, failed rates (NaN, written null) shown as -', async () => {
    const path = await writeReport(run, dir);
    const loaded = await loadRun(path);
    expect(loaded.environment.redis).toBe('7.0.15');
    expect(loaded.invocation?.npm).toBe('npm run bench');
    expect(loaded.scenarios.map((s) => s.id)).toEqual(['T1', 'T2']);
    const written = await writeFixture(dir, 'again.md', loaded);
    const md = await readFile(written.markdown, 'utf8');
    expect(md).toContain('| `broken` | peer | broken as its README says. | FAILED at verify |');
    expect(md).not.toContain('NaN');
    expect(md).not.toContain('null');
  });

  it('rejects what is not a run with a typed error that names the problem', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ not json');
    await expect(loadRun(bad)).rejects.toMatchObject({
      name: 'ReportInputError',
      code: 'E_BENCH_REPORT_INPUT',
      message: expect.stringMatching(/bad\.json is not valid JSON/),
    });
    await expect(loadRun(join(dir, 'missing.json'))).rejects.toBeInstanceOf(ReportInputError);
    expect(() => parseRun({ startedAt: 'x', mode: 'full' }, 'x.json')).toThrow(
      /x\.json is not a benchmark run: no config/,
    );
    const { scenarios: _s, ...noScenarios } = run;
    expect(() => parseRun(noScenarios, 'y.json')).toThrow(/no scenarios/);
    const broken = { ...run, scenarios: [{ ...readScenario, contenders: [{ role: 'peer' }] }] };
    expect(() => parseRun(broken, 'z.json')).toThrow(/scenarios\[0\]\.contenders\[0\] has no name/);
    // Lists an older run may lack are read as empty.
    const { findings: _f, metricTargets: _m, ...older } = readScenario;
    expect(parseRun({ ...run, scenarios: [older] }, 'o.json').scenarios[0]?.findings).toEqual([]);
  });

  it('records Redis and the installed versions of every contender library', async () => {
    expect(await redisServerVersion()).toMatch(/^\d+\.\d+\.\d+/);
    const versions = await packageVersions(packageDir);
    const version = (name: string, via?: string) =>
      versions.find((p) => p.name === name && p.via === via)?.version;
    const own = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    for (const [name, range] of Object.entries(own.dependencies)) {
      if (range.startsWith('workspace:')) {
        expect(versions.find((p) => p.name === name)?.workspace, name).toBe(true);
      } else if (/^\d+\.\d+\.\d+$/.test(range)) {
        // An exact pin: the installed version is the pinned one.
        expect(version(name), name).toBe(range);
      } else {
        expect(version(name), name).toMatch(/^\d+\.\d+\.\d+/);
      }
    }
    expect(version('@cacheable/memory', 'cacheable')).toMatch(/^\d+\.\d+\.\d+/);
    expect(version('@redis/client', 'redis')).toMatch(/^\d+\.\d+\.\d+/);
    expect(versions.some((p) => p.name.startsWith('@types/'))).toBe(false);
  });
});

describe('parseCli: --report-only and --report-out', () => {
  it('takes a JSON to regenerate from, and where the report goes', () => {
    const request = parseCli(['--report-only', 'results/run.json', '--report-out', 'out.md']);
    expect(request.reportOnly).toBe('results/run.json');
    expect(request.reportOut).toBe('out.md');
    expect(parseCli([]).reportOnly).toBeUndefined();
  });

  it('rejects run options with --report-only, naming them', () => {
    expect(() => parseCli(['--report-only', 'x.json', '--quick', 'b1'])).toThrow(
      /takes no run options \(got b1, --quick\)/,
    );
    expect(() => parseCli(['--report-out', 'x.md', '--no-save'])).toThrow(/--no-save/);
  });
});

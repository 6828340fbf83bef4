import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScenarioResult } from '../src/harness/types.js';
import { scenarioCharts } from '../src/report/charts.js';
import { niceTicks } from '../src/report/svg.js';
import { bars, checkWellFormed, crossScenario, run, writeFixture } from './report-fixture.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cachekit-report-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the SVG charts', () => {
  it('are well-formed SVG with one bar per contender that has a value', async () => {
    const written = await writeFixture(dir);
    const files = await readdir(join(dir, 'charts'));
    expect(files.sort()).toEqual([
      't1-l1-read-p99.svg',
      't1-l1-read-throughput.svg',
      't2-cross-process-p99.svg',
      't2-cross-process-throughput.svg',
    ]);
    for (const path of written.charts) {
      const svg = await readFile(path, 'utf8');
      const names = checkWellFormed(svg);
      expect(names[0]).toBe('svg');
      expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
      expect(svg).toMatch(/viewBox="0 0 \d+ \d+(\.\d)?"/);
      expect(names).toContain('title');
      // Nothing outside the file: no script, no external reference.
      expect(svg).not.toMatch(/<script|href=|url\(/);
    }

    const t1 = await readFile(join(dir, 'charts', 't1-l1-read-throughput.svg'), 'utf8');
    expect(bars(t1)).toEqual(['cachekit', 'peer-a', 'peer-&lt;b&gt;', 'hand-written']);
    // Values and ratios printed next to the bars, an axis with ticks, a whisker per bar.
    expect(t1).toContain('>2.00M ops/s (0.40x)</text>');
    expect(t1).toContain('>5.00M ops/s</text>');
    expect(t1).toContain('>ops/s</text>');
    expect(t1).toContain('>6M</text>');
    expect(t1.match(/class="range"/g)).toHaveLength(4);
    // Bars are proportional: hand-written's is 2.5x cachekit's.
    const width = (name: string): number =>
      Number(
        new RegExp(`data-contender="${name}" x="[\\d.]+" y="[\\d.]+" width="([\\d.]+)"`).exec(
          t1,
        )?.[1],
      );
    expect(width('hand-written') / width('cachekit')).toBeCloseTo(2.5, 1);

    const p99 = await readFile(join(dir, 'charts', 't1-l1-read-p99.svg'), 'utf8');
    expect(bars(p99)).toHaveLength(4);
    expect(p99).toContain('>900 ns (p50 300 ns)</text>');

    // No latency samples: the p99 of the scenario's time metric, with its bound drawn.
    const t2p99 = await readFile(join(dir, 'charts', 't2-cross-process-p99.svg'), 'utf8');
    expect(bars(t2p99)).toEqual(['cachekit', 'peer-c', 'hand-written']);
    expect(t2p99).toContain('p99 of all-dropped');
    expect(t2p99).toContain('>2.400 ms (max 3.600 ms)</text>');
    expect(t2p99).toContain('class="marker"');
    expect(t2p99).toContain('>target p99 &lt;= 2 ms</text>');
    // The failed contender has a row that says so, and no bar.
    const t2 = await readFile(join(dir, 'charts', 't2-cross-process-throughput.svg'), 'utf8');
    expect(bars(t2)).toEqual(['cachekit', 'peer-c', 'hand-written']);
    expect(t2).toContain('>failed at verify</text>');
    expect(t2).toContain('>4.0k req/s (0.80x)</text>');
  });

  it('skips the p99 chart when a scenario measures no time, and removes charts of ours it no longer writes', async () => {
    const counts: ScenarioResult = {
      ...crossScenario,
      id: 'T3',
      name: 'counts',
      metrics: [{ name: 'loader-calls', unit: 'calls', description: 'loader calls' }],
      metricTargets: [],
      contenders: crossScenario.contenders.map((c) => ({ ...c, metrics: [] })),
    };
    expect(scenarioCharts(counts).map((c) => c.kind)).toEqual(['throughput']);

    await writeFixture(dir);
    await writeFile(join(dir, 'charts', 'notes.txt'), 'kept');
    await writeFixture(dir, 'RESULTS.md', { ...run, scenarios: [counts] });
    expect((await readdir(join(dir, 'charts'))).sort()).toEqual([
      'notes.txt',
      't3-counts-throughput.svg',
    ]);
  });

  it('the well-formedness check itself rejects broken SVG', () => {
    expect(checkWellFormed('<svg a="1"><g><rect/></g><text>a &amp; b</text></svg>')).toEqual([
      'svg',
      'g',
      'rect',
      'text',
    ]);
    for (const broken of [
      '<svg><g></svg>',
      '<svg><text>a & b</text></svg>',
      '<svg><rect x=1/></svg>',
      '<svg></svg><svg></svg>',
      '<g></g>',
      '<svg><text>a</svg></text>',
    ]) {
      expect(() => checkWellFormed(broken), broken).toThrow();
    }
  });

  it('axis ticks are round steps that cover the largest value', () => {
    expect(niceTicks(6.82e6)).toEqual([0, 2e6, 4e6, 6e6, 8e6]);
    expect(niceTicks(2.103)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(49)).toEqual([0, 10, 20, 30, 40, 50]);
    expect(niceTicks(0)).toEqual([0, 1]);
    expect(niceTicks(Number.NaN)).toEqual([0, 1]);
  });
});

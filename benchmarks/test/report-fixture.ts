import { join } from 'node:path';
import { expect } from 'vitest';
import { FULL } from '../src/harness/config.js';
import type {
  ContenderResult,
  MetricSummary,
  RatioSummary,
  Role,
  RunConfig,
  RunReport,
  ScenarioResult,
} from '../src/harness/types.js';
import { chartsDirFor } from '../src/report/destination.js';
import type { Fallbacks } from '../src/report/markdown-environment.js';
import { recordRun } from '../src/report/record-run.js';
import type { RecordedRun } from '../src/report/types.js';
import { type WrittenReport, writeMarkdownReport } from '../src/report/write-report.js';

// A synthetic run for the report tests (report.test.ts, report-charts.test.ts): not a test file.

export function ratio(
  median: number,
  min: number = median * 0.9,
  max: number = median * 1.1,
): RatioSummary {
  return { median, min, max, perRound: [min, median, max] };
}

export function contender(
  name: string,
  role: Role,
  opsPerSec: number,
  extra: Partial<ContenderResult> = {},
): ContenderResult {
  return {
    name,
    role,
    config: `${name} as its README says. More detail that only the full configuration list shows.`,
    status: 'ok',
    rounds: [0, 1, 2].map((round) => ({
      round,
      position: round,
      ops: 1000,
      elapsedNs: 1e9,
      opsPerSec,
    })),
    medianOpsPerSec: opsPerSec,
    minOpsPerSec: opsPerSec * 0.8,
    maxOpsPerSec: opsPerSec * 1.2,
    ...extra,
  };
}

export function dropped(
  p50: number,
  p99: number,
  vsReference?: MetricSummary['vsReference'],
): MetricSummary {
  return {
    name: 'all-dropped',
    unit: 'ms',
    samples: 30,
    p50,
    p99,
    max: p99 * 1.5,
    values: [p50, p99],
    ...(vsReference === undefined ? {} : { vsReference }),
  } satisfies MetricSummary;
}

export const CONFIG: RunConfig = { ...FULL, rounds: 3 };

/** L1 read: a subject, a reference, two peers; one target met, one MISSED; names needing escapes. */
export const readScenario: ScenarioResult = {
  id: 'T1',
  name: 'l1-read',
  title: 'an L1 read, sequential awaited calls',
  reference: 'hand-written',
  bestPeer: 'peer-a',
  contenders: [
    contender('cachekit', 'subject', 2_000_000, {
      config: 'createCache({ l1: true }) | piped <b>&</b> escaped. Second sentence.',
      latency: { samples: 300, p50Ns: 300, p99Ns: 900 },
      vsReference: ratio(0.4),
      vsBestPeer: ratio(4),
    }),
    contender('peer-a', 'peer', 500_000, {
      latency: { samples: 300, p50Ns: 1200, p99Ns: 2500 },
      vsReference: ratio(0.1),
      vsBestPeer: ratio(1),
    }),
    contender('peer-<b>', 'peer', 100_000, {
      latency: { samples: 300, p50Ns: 4000, p99Ns: 6000 },
      vsReference: ratio(0.02),
      vsBestPeer: ratio(0.2),
    }),
    contender('hand-written', 'reference', 5_000_000, {
      latency: { samples: 300, p50Ns: 250, p99Ns: 800 },
      vsReference: ratio(1, 1, 1),
      vsBestPeer: ratio(10),
    }),
  ],
  targets: [
    { contender: 'cachekit', against: 'reference', atLeast: 0.5, median: 0.4, met: false },
    { contender: 'cachekit', against: 'best-peer', atLeast: 3, median: 4, met: true },
  ],
  metrics: [],
  metricTargets: [],
  findings: ['peer-a: NOT correct across instances: it kept the overwritten value.'],
  config: CONFIG,
  timerOverheadNs: 30,
  durationMs: 12_000,
};

/** Across processes: no latency samples, a metric with bounds, a unit, a failed contender. */
export const crossScenario: ScenarioResult = {
  id: 'T2',
  name: 'cross-process',
  title: 'a round across 4 processes',
  reference: 'hand-written',
  bestPeer: 'peer-c',
  contenders: [
    contender('cachekit', 'subject', 40, {
      vsReference: ratio(0.8),
      vsBestPeer: ratio(0.7),
      metrics: [dropped(0.9, 2.4, { p50: 1.5, p99: 1.6 })],
    }),
    contender('peer-c', 'peer', 55, {
      vsReference: ratio(1.1),
      vsBestPeer: ratio(1),
      metrics: [dropped(0.5, 1.1, { p50: 0.8, p99: 0.7 })],
    }),
    contender('hand-written', 'reference', 50, {
      vsReference: ratio(1, 1, 1),
      metrics: [dropped(0.6, 1.5, { p50: 1, p99: 1 })],
    }),
    {
      ...contender('broken', 'peer', Number.NaN),
      status: 'failed',
      failure: { stage: 'verify', message: 'returned a stale value' },
      rounds: [],
      minOpsPerSec: Number.NaN,
      maxOpsPerSec: Number.NaN,
    },
  ],
  targets: [],
  metrics: [{ name: 'all-dropped', unit: 'ms', description: 'from delete() to the last drop' }],
  metricTargets: [
    {
      contender: 'cachekit',
      metric: 'all-dropped',
      statistic: 'p50',
      atMost: 1,
      value: 0.9,
      met: true,
    },
    {
      contender: 'cachekit',
      metric: 'all-dropped',
      statistic: 'p99',
      atMost: 2,
      value: 2.4,
      met: false,
    },
  ],
  findings: [],
  config: { ...CONFIG, ops: 10, latencySamples: 0 },
  unit: { name: 'req', perOp: 100 },
  timerOverheadNs: 0,
  durationMs: 30_000,
};

export const harnessRun: RunReport = {
  startedAt: '2026-01-02T03:04:05.678Z',
  durationMs: 42_000,
  mode: 'full',
  config: CONFIG,
  environment: {
    node: 'v20.20.2',
    platform: 'linux x64',
    cpus: 2,
    cpuModel: 'Test CPU @ 2 GHz',
    gcExposed: true,
  },
  scenarios: [readScenario, crossScenario],
};

export const run: RecordedRun = recordRun(
  harnessRun,
  {
    redis: '7.0.15',
    packages: [
      { name: '@cachekit/core', version: '0.0.0', workspace: true },
      { name: 'bentocache', version: '1.6.1' },
      { name: '@cacheable/memory', version: '2.2.0', via: 'cacheable' },
    ],
    git: { commit: '0123456789abcdef0123', dirty: true },
    totalMemoryBytes: 8 * 2 ** 30,
  },
  { command: 'node --expose-gc benchmarks/dist/cli.js', npm: 'npm run bench', argv: [] },
);

// ---------------------------------------------------------------- checks on SVG text

/**
 * Checks that `svg` is well-formed XML of the kind the charts write (no DOMParser in Node):
 * one `<svg>` root, every tag closed in order, attributes double-quoted, `&` only in entities,
 * no `<` in text. Returns the element names in document order.
 */
export function checkWellFormed(svg: string): string[] {
  const names: string[] = [];
  const stack: string[] = [];
  const entity = /&(?!(amp|lt|gt|quot|apos|#\d+);)/;
  let rest = svg.trim();
  while (rest.length > 0) {
    const open = rest.indexOf('<');
    const content = open === -1 ? rest : rest.slice(0, open);
    expect(entity.test(content), `raw & in text: ${content}`).toBe(false);
    expect(content.includes('>'), `raw > in text: ${content}`).toBe(false);
    if (open === -1) break;
    if (stack.length === 0) expect(content.trim(), 'text outside the root').toBe('');
    const close = rest.indexOf('>', open);
    expect(close, 'unterminated tag').toBeGreaterThan(open);
    const tag = rest.slice(open + 1, close);
    rest = rest.slice(close + 1);
    if (tag.startsWith('/')) {
      expect(stack.pop(), `</${tag.slice(1)}> closes the wrong element`).toBe(tag.slice(1));
      if (stack.length === 0) expect(rest.trim(), 'content after the root').toBe('');
      continue;
    }
    const match = /^([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)$/.exec(tag);
    expect(match, `malformed tag <${tag}>`).not.toBeNull();
    const [, name = '', attributes = '', selfClosing] = match ?? [];
    expect(entity.test(attributes), `raw & in attributes of <${name}>`).toBe(false);
    if (names.length === 0) expect(name, 'the root').toBe('svg');
    else expect(stack.length, `<${name}> outside the root`).toBeGreaterThan(0);
    names.push(name);
    if (selfClosing !== '/') stack.push(name);
  }
  expect(stack, 'unclosed elements').toEqual([]);
  return names;
}

export function bars(svg: string): string[] {
  return [...svg.matchAll(/<rect class="bar" data-contender="([^"]*)"/g)].map((m) => m[1] ?? '');
}

/** Writes `report` (default: the fixture run) as `<dir>/<name>` with its charts next to it. */
export function writeFixture(
  dir: string,
  name = 'RESULTS.md',
  report: RecordedRun = run,
  fallbacks: Fallbacks = {},
): Promise<WrittenReport> {
  const markdown = join(dir, name);
  return writeMarkdownReport(report, {
    place: { markdown, charts: chartsDirFor(markdown) },
    json: join(dir, 'results', 'run.json'),
    displayRoot: dir,
    regenerate: 'npm run bench -- --report-only results/run.json',
    fallbacks,
  });
}

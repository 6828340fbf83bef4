import { readFile } from 'node:fs/promises';
import { ReportInputError } from './errors.js';
import type { RecordedRun } from './types.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, what: string): never {
  throw new ReportInputError(
    `${path} is not a benchmark run: ${what}. Pass a JSON that \`npm run bench\` wrote (benchmarks/results/<timestamp>.json).`,
  );
}

/** Arrays an older run may lack: read as empty. */
const LISTS = ['targets', 'metricTargets', 'metrics', 'findings'] as const;

function checkScenario(path: string, scenario: unknown, index: number): Json {
  if (!isObject(scenario)) fail(path, `scenarios[${index}] is not an object`);
  for (const key of ['id', 'name', 'title'] as const) {
    if (typeof scenario[key] !== 'string') fail(path, `scenarios[${index}].${key} is not a string`);
  }
  if (!Array.isArray(scenario.contenders)) fail(path, `scenarios[${index}].contenders is missing`);
  scenario.contenders.forEach((c: unknown, i) => {
    if (!isObject(c) || typeof c.name !== 'string' || typeof c.role !== 'string') {
      fail(path, `scenarios[${index}].contenders[${i}] has no name or role`);
    }
    if (!Array.isArray(c.rounds))
      fail(path, `scenarios[${index}].contenders[${i}].rounds is missing`);
  });
  if (!isObject(scenario.config)) fail(path, `scenarios[${index}].config is missing`);
  const lists = Object.fromEntries(
    LISTS.map((key) => [key, Array.isArray(scenario[key]) ? scenario[key] : []]),
  );
  return { ...scenario, ...lists };
}

/**
 * Checks that parsed JSON is a run report (the fields the Markdown report reads) and returns it;
 * `path` names it in errors. NaN rates were written as `null`: the report prints them as `-`.
 * Throws a {@link ReportInputError} that names what is missing.
 */
export function parseRun(data: unknown, path: string): RecordedRun {
  if (!isObject(data)) fail(path, 'not a JSON object');
  if (typeof data.startedAt !== 'string') fail(path, 'no startedAt');
  if (data.mode !== 'quick' && data.mode !== 'full') fail(path, 'mode is not "quick" or "full"');
  if (!isObject(data.config) || typeof data.config.rounds !== 'number') fail(path, 'no config');
  if (!isObject(data.environment)) fail(path, 'no environment');
  if (!Array.isArray(data.scenarios)) fail(path, 'no scenarios');
  const scenarios = data.scenarios.map((s: unknown, i) => checkScenario(path, s, i));
  return { ...data, scenarios } as unknown as RecordedRun;
}

/** Reads and checks a run JSON (see {@link parseRun}). */
export async function loadRun(path: string): Promise<RecordedRun> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ReportInputError(`Cannot read ${path}: give the path of a run's JSON.`, { cause });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (cause) {
    throw new ReportInputError(`${path} is not valid JSON: give the path of a run's JSON.`, {
      cause,
    });
  }
  return parseRun(data, path);
}

import { parseArgs } from 'node:util';
import { FULL, QUICK } from './harness/config.js';
import type { RunConfig } from './harness/types.js';

export const USAGE = `Usage: npm run bench -- [options] [scenario ...]

  scenario        id (b1) or name (l1-hit), any case; every scenario when none is named
  --quick         the smoke run: tiny sizes, 2 rounds of 2,000 ops (well under 20 s)
  --rounds N      interleaved rounds (default 7, quick 2; quote no figure from fewer than 5)
  --time-ms N     time budget of each timed run in ms (default 1000)
  --ops N         a fixed number of ops per timed run instead of a time budget
  --out DIR       where the JSON goes (default benchmarks/results), and the Markdown report of
                  a quick or partial run (RESULTS-quick.md / RESULTS-partial.md)
  --no-save       print the table only (no JSON, no Markdown report)
  --report-only JSON
                  no run: regenerate the Markdown report and charts from a run's JSON
  --report-out FILE
                  write the Markdown report there (charts next to it, in <name>-charts/)
                  instead of benchmarks/RESULTS.md (a full run of every scenario, >= 5 rounds)
                  or RESULTS-quick.md / RESULTS-partial.md
  --list          list the scenarios and exit
  --help          this text`;

/** What the command line asks for. */
export interface CliRequest {
  readonly help: boolean;
  readonly list: boolean;
  readonly save: boolean;
  readonly outDir: string | undefined;
  /** `--report-only JSON`: regenerate the report from that run instead of running. */
  readonly reportOnly: string | undefined;
  /** `--report-out FILE`: where the Markdown report goes instead of its default place. */
  readonly reportOut: string | undefined;
  readonly scenarios: readonly string[];
  readonly config: RunConfig;
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new RangeError(`${flag} expects a positive integer, got "${value}".`);
  }
  return n;
}

/** Parses the arguments (after `node cli.js`); throws a RangeError/TypeError naming a bad flag. */
export function parseCli(argv: readonly string[]): CliRequest {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      'time-ms': { type: 'string' },
      ops: { type: 'string' },
      out: { type: 'string' },
      'no-save': { type: 'boolean', default: false },
      'report-only': { type: 'string' },
      'report-out': { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values['report-only'] !== undefined) {
    const runFlags = ['quick', 'rounds', 'time-ms', 'ops', 'out', 'no-save'] as const;
    const given = runFlags.filter((flag) => values[flag] !== undefined && values[flag] !== false);
    if (positionals.length > 0 || given.length > 0) {
      const what = [...positionals, ...given.map((flag) => `--${flag}`)].join(', ');
      throw new RangeError(
        `--report-only regenerates a report from a run's JSON and takes no run options (got ${what}): drop them, or drop --report-only to run.`,
      );
    }
  }
  if (values['report-out'] !== undefined && values['no-save']) {
    throw new RangeError(
      '--report-out writes a report, which --no-save turns off: drop one of them.',
    );
  }
  const base = values.quick ? QUICK : FULL;
  const rounds = positiveInteger(values.rounds, '--rounds') ?? base.rounds;
  const timeMs = positiveInteger(values['time-ms'], '--time-ms');
  const ops = positiveInteger(values.ops, '--ops');
  const config: RunConfig = {
    ...base,
    rounds,
    // A time budget given explicitly wins over quick mode's fixed op count.
    ops: ops ?? (timeMs === undefined ? base.ops : undefined),
    timeMs: timeMs ?? base.timeMs,
  };
  return {
    help: values.help,
    list: values.list,
    save: !values['no-save'],
    outDir: values.out,
    reportOnly: values['report-only'],
    reportOut: values['report-out'],
    scenarios: positionals,
    config,
  };
}

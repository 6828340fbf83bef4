import { parseArgs } from 'node:util';
import { FULL, QUICK } from './harness/config.js';
import type { RunConfig } from './harness/types.js';

export const USAGE = `Usage: npm run bench -- [options] [scenario ...]

  scenario        id (b1) or name (l1-hit), any case; every scenario when none is named
  --quick         the smoke run: tiny sizes, 2 rounds of 2,000 ops (well under 20 s)
  --rounds N      interleaved rounds (default 7, quick 2; quote no figure from fewer than 5)
  --time-ms N     time budget of each timed run in ms (default 1000)
  --ops N         a fixed number of ops per timed run instead of a time budget
  --out DIR       where the JSON report goes (default benchmarks/results)
  --no-save       print the table only
  --list          list the scenarios and exit
  --help          this text`;

/** What the command line asks for. */
export interface CliRequest {
  readonly help: boolean;
  readonly list: boolean;
  readonly save: boolean;
  readonly outDir: string | undefined;
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
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
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
    scenarios: positionals,
    config,
  };
}

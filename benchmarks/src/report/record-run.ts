import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import { relative } from 'node:path';
import { promisify } from 'node:util';
import type { RunReport } from '../harness/types.js';
import { packageVersions } from './package-versions.js';
import type { EnvironmentExtras, GitState, Invocation, RecordedRun } from './types.js';

const run = promisify(execFile);

/** `Redis server v=7.0.15 sha=…` -> `7.0.15`; undefined when `redis-server` cannot be run. */
export async function redisServerVersion(): Promise<string | undefined> {
  try {
    const { stdout } = await run('redis-server', ['--version'], { timeout: 5_000 });
    return /\bv=(\S+)/.exec(stdout)?.[1] ?? (stdout.trim() || undefined);
  } catch {
    return undefined;
  }
}

/** The commit checked out in `dir` and whether files differ from it; undefined outside git. */
export async function gitState(dir: string): Promise<GitState | undefined> {
  try {
    const options = { cwd: dir, timeout: 10_000 };
    const { stdout: head } = await run('git', ['rev-parse', 'HEAD'], options);
    // --no-optional-locks: read only, never refresh the index.
    const { stdout: status } = await run(
      'git',
      ['--no-optional-locks', 'status', '--porcelain'],
      options,
    );
    return { commit: head.trim(), dirty: status.trim() !== '' };
  } catch {
    return undefined;
  }
}

/** Quotes an argument for a POSIX shell when it needs it. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * How this process was started, for the report: the node command line from the repository root
 * (`repoRoot`), and the npm script when one that runs the CLI started it (npm sets
 * `npm_lifecycle_event` and `npm_lifecycle_script`).
 */
export function currentInvocation(
  repoRoot: string,
  env: NodeJS.ProcessEnv = process.env,
): Invocation {
  const argv = process.argv.slice(2);
  const script = relative(repoRoot, process.argv[1] ?? 'benchmarks/dist/cli.js');
  const command = ['node', ...process.execArgv, script, ...argv].map(shellWord).join(' ');
  const args = argv.length === 0 ? '' : ` -- ${argv.map(shellWord).join(' ')}`;
  const event = env.npm_lifecycle_event;
  // Only an npm script that runs this CLI (a test runner's script started it otherwise).
  if (event === undefined || !(env.npm_lifecycle_script ?? '').includes('cli.js')) {
    return { command, argv };
  }
  const prefix = env.npm_package_name === '@cachekit/benchmarks' ? ' --prefix benchmarks' : '';
  return { command, npm: `npm run ${event}${prefix}${args}`, argv };
}

/**
 * What the report needs besides the harness's environment: Redis's version, every benchmark
 * dependency's version (`packageDir`: the benchmarks package), the commit. Never throws: what it
 * cannot find it leaves out.
 */
export async function environmentExtras(packageDir: string): Promise<EnvironmentExtras> {
  const [redis, packages, git] = await Promise.all([
    redisServerVersion(),
    packageVersions(packageDir),
    gitState(packageDir),
  ]);
  return {
    ...(redis === undefined ? {} : { redis }),
    packages,
    ...(git === undefined ? {} : { git }),
    totalMemoryBytes: totalmem(),
  };
}

/** The harness's report with the extras and the invocation added, as the JSON records it. */
export function recordRun(
  report: RunReport,
  extras: EnvironmentExtras,
  invocation: Invocation,
): RecordedRun {
  const { scenarios, environment, ...head } = report;
  // The invocation and the environment before the (long) scenarios, for a reader of the JSON.
  return { ...head, invocation, environment: { ...environment, ...extras }, scenarios };
}

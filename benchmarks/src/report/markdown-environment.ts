import { sizes } from './markdown-scenario.js';
import { code, table } from './markdown-text.js';
import type { PackageVersion, RecordedRun } from './types.js';

/** Where the report's facts come from when the JSON lacks them (a run recorded before they were). */
export interface Fallbacks {
  readonly redis?: string;
  readonly packages?: readonly PackageVersion[];
}

function packageName(p: PackageVersion): string {
  return p.via === undefined ? code(p.name) : `${code(p.name)} (via ${code(p.via)})`;
}

/**
 * The machine (CPU, cores, memory, Node, Redis), the commit, the command and mode, and the
 * version of every package the benchmarks ran. Facts missing from the JSON come from
 * `fallbacks` (read when the report is generated) and say so.
 */
export function environmentSection(run: RecordedRun, fallbacks: Fallbacks): string[] {
  const env = run.environment;
  const now = ' (read when this report was generated, not recorded with the run)';
  const redis =
    env.redis !== undefined
      ? env.redis
      : fallbacks.redis !== undefined
        ? `${fallbacks.redis}${now}`
        : 'unknown (`redis-server --version` failed)';
  const memory =
    env.totalMemoryBytes === undefined
      ? []
      : [['memory', `${(env.totalMemoryBytes / 2 ** 30).toFixed(1)} GiB`]];
  const git =
    env.git === undefined
      ? []
      : [
          [
            'commit',
            `${code(env.git.commit.slice(0, 12))}${env.git.dirty ? ' with uncommitted changes' : ''}`,
          ],
        ];
  const command =
    run.invocation === undefined
      ? [['command', 'not recorded']]
      : [
          ...(run.invocation.npm === undefined ? [] : [['npm script', code(run.invocation.npm)]]),
          ['command', code(run.invocation.command)],
        ];
  const packages = env.packages ?? fallbacks.packages ?? [];
  return [
    '## Machine, command and versions',
    '',
    ...table(
      ['what', 'value'],
      [
        ['CPU', `${env.cpuModel}, ${env.cpus} cores`],
        ...memory,
        ['platform', env.platform],
        [
          'Node',
          `${env.node}${env.gcExposed ? ' (`--expose-gc`: a collection before each timed run)' : ' (without `--expose-gc`)'}`,
        ],
        ['Redis', `${redis}; each scenario starts its own \`redis-server\` on a free port`],
        ...git,
        ...command,
        ['mode', `${run.mode}: ${sizes(run.config)}`],
        [
          'started',
          `${run.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}, took ${(run.durationMs / 60_000).toFixed(1)} min`,
        ],
      ],
    ),
    '',
    `Package versions${env.packages === undefined && packages.length > 0 ? now : ''}:`,
    '',
    ...table(
      ['package', 'version'],
      packages.map((p) => [
        packageName(p),
        p.workspace === true ? `${p.version} (this repository)` : p.version,
      ]),
    ),
  ];
}

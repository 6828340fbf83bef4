import type { RunReport } from '../harness/types.js';

/** The version of one package the benchmarks ran, read from its `package.json`. */
export interface PackageVersion {
  readonly name: string;
  /** `'6.0.0'`, or `'not installed'` when no `package.json` was found. */
  readonly version: string;
  /** The package that depends on it, for a dependency of a dependency (`@cacheable/memory` via `cacheable`). */
  readonly via?: string;
  /** A package of this monorepo (its version is the commit's, see {@link GitState}). */
  readonly workspace?: boolean;
}

/** The commit the benchmarks ran from. */
export interface GitState {
  readonly commit: string;
  /** Files differed from the commit (changed or untracked). */
  readonly dirty: boolean;
}

/**
 * What the report needs besides the harness's own environment, recorded with the run (the CLI
 * adds it before the JSON is written). Every field is optional: a JSON written before these were
 * recorded still renders, with the versions read when the report is generated.
 */
export interface EnvironmentExtras {
  /** `redis-server --version`'s `v=` (`'7.0.15'`); undefined when it could not be run. */
  readonly redis?: string;
  readonly packages?: readonly PackageVersion[];
  readonly git?: GitState;
  /** `os.totalmem()`. */
  readonly totalMemoryBytes?: number;
}

/** How the run was started. */
export interface Invocation {
  /** The node command line, from the repository root: `node --expose-gc benchmarks/dist/cli.js --quick`. */
  readonly command: string;
  /** The npm script it ran under, when it did: `npm run bench -- --quick`. */
  readonly npm?: string;
  /** The arguments after the script. */
  readonly argv: readonly string[];
}

/** A run as the JSON report records it: the harness's report plus {@link EnvironmentExtras}. */
export type RecordedRun = RunReport & {
  readonly environment: RunReport['environment'] & EnvironmentExtras;
  readonly invocation?: Invocation;
};

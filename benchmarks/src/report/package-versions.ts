import { readFile, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PackageVersion } from './types.js';

/**
 * Dependencies of dependencies whose version decides how a contender behaves (the README's
 * configurations name them): `[package, the dependency that pulls it in]`.
 */
const TRANSITIVE: readonly (readonly [string, string])[] = [
  ['@cacheable/memory', 'cacheable'],
  ['keyv', 'cache-manager'],
  ['@redis/client', '@keyv/redis'],
  ['@redis/client', 'redis'],
  ['@boringnode/bus', 'bentocache'],
];

interface Manifest {
  readonly version?: unknown;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

function versionOf(manifest: Manifest | undefined): string {
  return typeof manifest?.version === 'string' ? manifest.version : 'not installed';
}

/**
 * The `node_modules` folder a package sits in, following pnpm's symlink: its dependencies are
 * its siblings there (or, with another layout, in its own `node_modules`).
 */
async function homeOf(
  packageDir: string,
  name: string,
): Promise<{ real: string; parent: string } | undefined> {
  try {
    const real = await realpath(join(packageDir, 'node_modules', name));
    const parent = real.endsWith(name)
      ? real.slice(0, real.length - name.length - 1)
      : dirname(real);
    return { real, parent };
  } catch {
    return undefined;
  }
}

async function transitiveVersion(
  packageDir: string,
  name: string,
  via: string,
): Promise<PackageVersion> {
  const home = await homeOf(packageDir, via);
  let manifest: Manifest | undefined;
  if (home !== undefined) {
    manifest =
      (await readManifest(join(home.real, 'node_modules', name, 'package.json'))) ??
      (await readManifest(join(home.parent, name, 'package.json')));
  }
  return { name, version: versionOf(manifest), via };
}

/**
 * The versions of every dependency of the benchmarks package (`packageDir`: the folder of its
 * `package.json`), type packages left out, read from `node_modules`, then the dependencies of
 * dependencies in {@link TRANSITIVE}. Never throws: a package it cannot read is `not installed`.
 */
export async function packageVersions(packageDir: string): Promise<PackageVersion[]> {
  const own = await readManifest(join(packageDir, 'package.json'));
  const declared = { ...own?.dependencies, ...own?.devDependencies };
  const names = Object.keys(declared)
    .filter((name) => !name.startsWith('@types/'))
    .sort();
  const direct = await Promise.all(
    names.map(async (name): Promise<PackageVersion> => {
      const manifest = await readManifest(join(packageDir, 'node_modules', name, 'package.json'));
      const workspace = declared[name]?.startsWith('workspace:') === true;
      return { name, version: versionOf(manifest), ...(workspace ? { workspace } : {}) };
    }),
  );
  const nested = await Promise.all(
    TRANSITIVE.map(([name, via]) => transitiveVersion(packageDir, name, via)),
  );
  return [...direct, ...nested];
}

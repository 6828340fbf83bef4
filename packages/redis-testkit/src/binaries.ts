import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Absolute path of an executable found on PATH, or `undefined`. */
export function findExecutable(
  name: string,
  path: string = process.env.PATH ?? '',
): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const INSTALL_HINT: string =
  'Install Redis (7.0 or newer): `apt-get install redis-server` on Debian/Ubuntu, ' +
  '`brew install redis` on macOS. Or point the tests at running servers with ' +
  'REDIS_URL=redis://host:port (standalone) and REDIS_CLUSTER_NODES=host:port,host:port,... (cluster).';

/** Path of `redis-server`, or an error that says how to install it. */
export function requireExecutable(name: 'redis-server' | 'redis-cli'): string {
  const found = findExecutable(name);
  if (found === undefined) throw new Error(`\`${name}\` was not found on PATH. ${INSTALL_HINT}`);
  return found;
}

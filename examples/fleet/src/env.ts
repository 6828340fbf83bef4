import { FleetOptionError } from './errors.js';
import type { FleetAppOptions } from './options.js';

/** What `main` reads from the environment. */
export interface FleetEnv {
  /** `PORT`, default 3000 (0 picks a free port). */
  port: number;
  /** `HOST`, default `127.0.0.1` (this machine only); `0.0.0.0` to serve the network. */
  host: string;
  /** `LOG_LEVEL` of Fastify's JSON logger, default `warn`. */
  logLevel: string;
  options: FleetAppOptions;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function int(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new FleetOptionError(`${name} must be an integer; got ${JSON.stringify(text)}.`);
  }
  return value;
}

/**
 * Reads `PORT`, `HOST`, `REDIS_URL`, `LOG_LEVEL` and the `FLEET_*` variables. Values buildApp
 * cannot use are refused there, with the option named.
 */
export function readEnv(env: NodeJS.ProcessEnv): FleetEnv {
  const port = int(env, 'PORT') ?? 3000;
  if (port < 0 || port > 65_535) {
    throw new FleetOptionError(`PORT must be from 0 to 65535; got ${port}.`);
  }
  const logLevel = env.LOG_LEVEL || 'warn';
  if (!LEVELS.includes(logLevel)) {
    throw new FleetOptionError(`LOG_LEVEL must be one of ${LEVELS.join(', ')}; got ${logLevel}.`);
  }
  const share = env.FLEET_TICK_SHARE ? Number(env.FLEET_TICK_SHARE) : undefined;
  const defined = <T>(key: string, value: T | undefined): Record<string, T> =>
    value === undefined ? {} : { [key]: value };
  return {
    port,
    host: env.HOST || '127.0.0.1',
    logLevel,
    options: {
      ...defined('redisUrl', env.REDIS_URL || undefined),
      ...defined('miners', int(env, 'FLEET_MINERS')),
      ...defined('latencyMs', int(env, 'FLEET_SOURCE_LATENCY_MS')),
      ...defined('tickMs', int(env, 'FLEET_TICK_MS')),
      ...defined('tickShare', share),
      ...defined('prefix', env.FLEET_PREFIX || undefined),
      ...defined('namespace', env.FLEET_CACHE_NAMESPACE || undefined),
      ...defined('l1', env.FLEET_L1 === undefined ? undefined : env.FLEET_L1 === '1'),
    },
  };
}

import type { FastifyServerOptions } from 'fastify';
import { FleetOptionError } from './errors.js';

/** Options of `buildApp`. Every one has a default. */
export interface FleetAppOptions {
  /**
   * Redis shared by the instances that form one service (fleet state, cache, bus). Default: none:
   * everything in this process (memory store, memory transport), a single instance.
   */
  redisUrl?: string;
  /** Miners in the simulated fleet. Default: 200. */
  miners?: number;
  /** Latency of every source call in ms (±20 %). Default: 25. */
  latencyMs?: number;
  /** Time between simulation ticks in ms; 0 runs no ticker (`simulator.tick()` still works). Default: 1000. */
  tickMs?: number;
  /** Share of the miners whose status changes at each tick, in (0, 1]. Default: 0.25 (each miner about every 4 s). */
  tickShare?: number;
  /**
   * Prefix of the fleet's state keys and channels in Redis (`<prefix>:status`...), apart from the
   * cache's keys. Instances forming one service share it. Default: `'fleet-demo'`.
   */
  prefix?: string;
  /** Root namespace of the cache's keys; instances forming one service share it. Default: `'fleet'`. */
  namespace?: string;
  /**
   * Also keep responses in an in-process L1, dropped on every instance through the bus when
   * invalidated. Off by default: then another instance's write is seen at once (L2 is shared),
   * instead of after the bus message arrives. Default: false.
   */
  l1?: boolean;
  /** Fastify's logger option. Default: false (silent). */
  logger?: FastifyServerOptions['logger'];
  /** Add prom-client's default process metrics (CPU, memory, event loop) to `/metrics`. Default: true. */
  processMetrics?: boolean;
  /** This instance's id (bus messages, ticker lease). Default: a random UUID. */
  instanceId?: string;
}

/** {@link FleetAppOptions} with defaults applied. */
export interface ResolvedFleetOptions {
  readonly redisUrl: string | undefined;
  readonly miners: number;
  readonly latencyMs: number;
  readonly tickMs: number;
  readonly tickShare: number;
  readonly prefix: string;
  readonly namespace: string;
  readonly l1: boolean;
  readonly processMetrics: boolean;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function integer(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new FleetOptionError(
      `${name} must be an integer from ${min} to ${max} (default ${fallback}); got ${String(value)}.`,
    );
  }
  return value;
}

function name(value: unknown, fallback: string, option: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new FleetOptionError(
      `${option} must be 1-64 letters, digits, '_', '.' or '-' (default '${fallback}'); got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** Applies defaults and validates, throwing a {@link FleetOptionError} that names the option. */
export function resolveFleetOptions(options: FleetAppOptions): ResolvedFleetOptions {
  const share = options.tickShare ?? 0.25;
  if (typeof share !== 'number' || !(share > 0 && share <= 1)) {
    throw new FleetOptionError(
      `tickShare must be a number in (0, 1] (default 0.25); got ${String(share)}.`,
    );
  }
  const redisUrl = options.redisUrl === '' ? undefined : options.redisUrl;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new FleetOptionError(
      `redisUrl must be a redis:// or rediss:// URL such as redis://127.0.0.1:6379; got ${JSON.stringify(redisUrl)}.`,
    );
  }
  return {
    redisUrl,
    miners: integer(options.miners, 200, 'miners', 1, 10_000),
    latencyMs: integer(options.latencyMs, 25, 'latencyMs', 0, 60_000),
    tickMs: integer(options.tickMs, 1000, 'tickMs', 0, 3_600_000),
    tickShare: share,
    prefix: name(options.prefix, 'fleet-demo', 'prefix'),
    namespace: name(options.namespace, 'fleet', 'namespace'),
    l1: options.l1 ?? false,
    processMetrics: options.processMetrics ?? true,
  };
}

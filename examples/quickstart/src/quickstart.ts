import {
  createCache,
  definePolicy,
  EPHEMERAL,
  EVENT_DRIVEN,
  MODERATE,
  type Store,
} from '@cachekit/core';
import { FleetSource, type MinerConfig } from './fleet-source.js';

/** What the quickstart did, for printing and for its smoke test. */
export interface QuickstartReport {
  hits: number;
  misses: number;
  sourceCalls: FleetSource['calls'];
  coldMs: number;
  warmMs: number;
  concurrentCallers: number;
  summaryBefore: { miners: number; totalPowerWatts: number };
  summaryAfter: { miners: number; totalPowerWatts: number };
  configAfter: MinerConfig;
}

/**
 * Cache-aside in front of a slow source, a write-through update and a tag cascade, on whatever
 * store it is given (memory by default).
 */
export async function runQuickstart(
  options: { store?: Store; log?: (line: string) => void; latencyMs?: number } = {},
): Promise<QuickstartReport> {
  const log = options.log ?? (() => undefined);
  const source = new FleetSource(['m-1', 'm-2', 'm-3'], options.latencyMs ?? 50);
  // A fresh namespace per run, so that runs sharing a Redis never see each other's entries.
  const namespace = `quickstart-${process.pid}-${Date.now()}`;
  const cache = createCache({
    namespace,
    ...(options.store === undefined ? {} : { store: options.store }),
  });
  let hits = 0;
  let misses = 0;
  cache.on('hit', () => hits++);
  cache.on('miss', () => misses++);

  const status = cache.define({
    namespace: 'status',
    load: (id: string) => source.status(id),
    policy: EPHEMERAL,
    tags: (id) => [`miner:${id}`, 'fleet'],
  });
  const config = cache.define<string, MinerConfig>({
    namespace: 'config',
    load: (id) => source.config(id),
    write: (id, value) => source.writeConfig(id, value),
    policy: definePolicy(EVENT_DRIVEN, { ttl: '5m', invalidateOn: ['miner.config.updated'] }),
  });
  const summary = () =>
    cache.getOrSet('fleet-summary', () => source.summary(), { policy: MODERATE, tags: ['fleet'] });

  try {
    // 1. Cache-aside: the first read pays the source's latency, the second does not.
    let started = performance.now();
    await status.get('m-1');
    const coldMs = performance.now() - started;
    started = performance.now();
    await status.get('m-1');
    const warmMs = performance.now() - started;
    log(`status m-1: cold ${coldMs.toFixed(1)} ms, cached ${warmMs.toFixed(2)} ms`);

    // 2. Single-flight: 100 concurrent readers of a cold key cause one source call.
    const concurrentCallers = 100;
    await Promise.all(Array.from({ length: concurrentCallers }, () => status.get('m-2')));
    log(`${concurrentCallers} concurrent reads of m-2 -> ${source.calls.status - 1} source call`);

    // 3. Write-through: the source is written first, then the cache.
    const summaryBefore = await summary();
    await config.get('m-3');
    const configAfter = await config.update('m-3', {
      pool: 'stratum+tcp://pool-b:3333',
      powerTargetWatts: 2800,
    });
    log(
      `config m-3 updated through the cache: ${configAfter.pool}, ${configAfter.powerTargetWatts} W`,
    );

    // 4. Cascade: one tag invalidation drops the fleet summary and every miner's status.
    await cache.invalidateTags(['fleet']);
    const summaryAfter = await summary();
    log(
      `fleet summary: ${summaryBefore.totalPowerWatts} W before, ${summaryAfter.totalPowerWatts} W after the cascade`,
    );
    log(`hits ${hits}, misses ${misses}, source calls ${JSON.stringify(source.calls)}`);
    return {
      hits,
      misses,
      sourceCalls: { ...source.calls },
      coldMs,
      warmMs,
      concurrentCallers,
      summaryBefore,
      summaryAfter,
      configAfter,
    };
  } finally {
    await cache.close();
  }
}

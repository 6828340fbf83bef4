import type { CacheMetrics } from '@cachekit/metrics';
import type { Registry } from 'prom-client';
import type { ConfigWriter } from './config-writer.js';
import type { FleetBus } from './fleet-bus.js';
import type { FleetFeed } from './fleet-feed.js';
import type { FleetSource } from './fleet-source.js';
import type { HttpTimings } from './http-timings.js';
import type { FleetSimulator } from './simulator.js';
import type { SseHub } from './sse.js';

/** What the routes of one app instance share. */
export interface FleetContext {
  readonly source: FleetSource;
  readonly simulator: FleetSimulator;
  readonly fleetBus: FleetBus;
  readonly feed: FleetFeed;
  readonly sse: SseHub;
  readonly metrics: CacheMetrics;
  readonly registry: Registry;
  readonly timings: HttpTimings;
  /** Write-through of a miner's config (the `PUT` route and the MCP tool). */
  readonly writeConfig: ConfigWriter;
  /** Tells MCP subscribers (every instance) that a miner's config and the summary changed. */
  readonly configChanged: (minerId: string) => Promise<void>;
  readonly instance: {
    readonly id: string;
    readonly store: 'memory' | 'redis';
    readonly startedAt: number;
  };
}

import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { MetricsPeerMissingError } from './errors.js';

/** The prom-client module: the package's classes and its global `register`. */
export type PromClientModule = typeof PromClient;

const requireFromHere = createRequire(import.meta.url);

/**
 * Loads prom-client (a CommonJS package, an optional peer) only when the Prometheus exporter is
 * asked for, so that `stats()` works without it. `load` is the loader, replaceable in tests.
 */
export function loadPromClient(load: (id: string) => unknown = requireFromHere): PromClientModule {
  try {
    return load('prom-client') as PromClientModule;
  } catch (error) {
    const missing = (error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND';
    throw new MetricsPeerMissingError(
      missing
        ? 'cacheMetrics({ prometheus }) needs the optional peer "prom-client": install it (npm install prom-client), or leave `prometheus` out and use stats().'
        : `cacheMetrics({ prometheus }) could not load "prom-client": ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

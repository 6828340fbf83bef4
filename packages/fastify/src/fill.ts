import { randomUUID } from 'node:crypto';
import { LruMap } from '@cachekit/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { originForm } from './cache-key.js';
import { type CachedResponse, toCachedResponse, unstorableReason } from './entry.js';
import { UpstreamStatusError } from './errors.js';
import type { CompiledRoute } from './route-config.js';

/**
 * Request header of fill requests: a random token per fill, known only to this process while the
 * fill runs. A request carrying a running token is let through to the handler; any other value
 * means nothing.
 */
export const FILL_HEADER = 'x-cachekit-fill';
/** Most "not storable" verdicts remembered (least recently used dropped first). */
const MAX_PASSES = 10_000;

/** What the hooks of a fill request learn about its response. */
export interface FillState {
  /** The handler sent a stream: not storable. */
  streamed: boolean;
}

/**
 * Produces responses for the cache by running the route through `inject()` with only the keyed
 * request headers (`vary`, plus `authorization` and `cookie` on private routes): Host,
 * X-Forwarded-* and every other unkeyed header never reach a response that others will get.
 */
export class Filler {
  readonly #app: FastifyInstance;
  readonly #running = new Map<string, FillState>();
  readonly #passes = new LruMap<true>({ maxEntries: MAX_PASSES });

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  /** The state of a fill request this filler is running, or `undefined` for any other request. */
  fillOf(request: FastifyRequest): FillState | undefined {
    const token = request.headers[FILL_HEADER];
    return typeof token === 'string' ? this.#running.get(token) : undefined;
  }

  /** True while a recent fill of this key was not storable (hit-for-pass): skip the cache. */
  passes(passKey: string): boolean {
    return this.#passes.get(passKey) !== undefined;
  }

  /** Forgets every "not storable" verdict (after invalidations, and on close). */
  forgetPasses(): void {
    this.#passes.clear();
  }

  /**
   * Runs the route for `request` and returns the response to store, or `undefined` when it must
   * not be stored (then remembered for `route.passTtl`). Throws {@link UpstreamStatusError} on a
   * 5xx, so that stale-if-error applies, and whatever `inject()` throws.
   */
  async fill(
    request: FastifyRequest,
    route: CompiledRoute,
    key: string,
    passKey: string,
  ): Promise<CachedResponse | undefined> {
    const headers: Record<string, string | string[]> = {};
    for (const name of route.forward) {
      const value = request.headers[name];
      if (value !== undefined) headers[name] = value;
    }
    const token = randomUUID();
    headers[FILL_HEADER] = token;
    const state: FillState = { streamed: false };
    this.#running.set(token, state);
    let response: Awaited<ReturnType<FastifyInstance['inject']>>;
    try {
      response = await this.#app.inject({
        method: 'GET',
        // Origin form: an absolute-form request target must not pick the fill's Host.
        url: originForm(request.originalUrl),
        headers,
      });
    } finally {
      this.#running.delete(token);
    }
    if (response.statusCode >= 500) throw new UpstreamStatusError(request.url, response.statusCode);
    const reason = unstorableReason(response, state.streamed, route);
    if (reason !== undefined) {
      this.#passes.set(passKey, true, route.passTtl);
      request.log.debug({ route: route.label, reason }, 'cachekit: response not cached');
      return undefined;
    }
    return toCachedResponse(response, key, Date.now());
  }
}

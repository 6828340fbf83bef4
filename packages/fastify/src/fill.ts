import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { LruMap } from '@cachekit/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type CachedResponse, toCachedResponse, unstorableReason } from './entry.js';
import { UpstreamStatusError } from './errors.js';
import type { CompiledRoute } from './route-config.js';

/**
 * Request header of fill requests: a random token per fill, known only to this process while the
 * fill runs. A request carrying a running token is let through to the handler of the route the
 * fill was issued for (and refused anywhere else); any other value means nothing.
 */
export const FILL_HEADER = 'x-cachekit-fill';
/**
 * Remote address of fill requests (`request.ip`, `request.socket.remoteAddress`): `192.0.2.1`,
 * from TEST-NET-1 (RFC 5737, reserved for documentation, never routed), so that a fill never
 * passes for a loopback or internal caller in the app's own checks.
 */
export const FILL_REMOTE_ADDRESS = '192.0.2.1';
/** Most "not storable" verdicts remembered (least recently used dropped first). */
const MAX_PASSES = 10_000;
/** A route's failed fills are logged at most once per this many ms. */
const WARN_INTERVAL = 60_000;

/** A fill request while it runs, bound to the route and the URL it was issued for. */
export interface FillState {
  readonly route: CompiledRoute;
  /** `request.originalUrl` of the request being filled: the fill's exact request target. */
  readonly originalUrl: string;
  /** `request.url` of the request being filled (after `rewriteUrl`). */
  readonly url: string;
  /** The handler sent a stream: not storable. */
  streamed: boolean;
  /** The route's own last preHandler admitted it: the answer comes from the route's handler. */
  reached: boolean;
  /** It reached another route, and was refused there. */
  refused: boolean;
}

/** The value of a keyed header as the router sees it (`host` falls back to HTTP/2's `:authority`). */
export function headerOf(
  headers: IncomingHttpHeaders,
  name: string,
): string | readonly string[] | undefined {
  if (name === 'host') return headers.host || headers[':authority'] || undefined;
  return headers[name];
}

/**
 * Produces responses for the cache by running the route through `inject()` with only the keyed
 * request headers (`vary` and constraint headers, plus `authorization` and `cookie` on private
 * routes), from {@link FILL_REMOTE_ADDRESS}: Host, X-Forwarded-* and every other unkeyed header
 * never reach a response that others will get.
 */
export class Filler {
  readonly #app: FastifyInstance;
  readonly #running = new Map<string, FillState>();
  readonly #passes = new LruMap<true>({ maxEntries: MAX_PASSES });
  readonly #warned = new WeakMap<CompiledRoute, number>();

  constructor(app: FastifyInstance) {
    this.#app = app;
  }

  /** The state of a fill request this filler is running, or `undefined` for any other request. */
  fillOf(request: FastifyRequest): FillState | undefined {
    const token = request.headers[FILL_HEADER];
    return typeof token === 'string' ? this.#running.get(token) : undefined;
  }

  /**
   * Whether `fill` may be answered by the route `request` reached (`route`, or `undefined` for a
   * route the plugin does not cache): the same route (path and constraints), GET, and the exact
   * URLs of the request it fills.
   */
  admits(fill: FillState, request: FastifyRequest, route: CompiledRoute | undefined): boolean {
    return (
      route !== undefined &&
      route.id === fill.route.id &&
      request.method === 'GET' &&
      request.originalUrl === fill.originalUrl &&
      request.url === fill.url
    );
  }

  /** True while a recent fill of this key was not storable or failed (hit-for-pass): skip the cache. */
  passes(passKey: string): boolean {
    return this.#passes.get(passKey) !== undefined;
  }

  /** Remembers for `ttl` ms that the cache is not to be tried for this key. */
  pass(passKey: string, ttl: number): void {
    if (ttl > 0) this.#passes.set(passKey, true, ttl);
  }

  /** Forgets every "not storable" verdict (after invalidations, and on close). */
  forgetPasses(): void {
    this.#passes.clear();
  }

  /** Logs a failed fill at warn, at most once per route per minute. */
  failed(request: FastifyRequest, route: CompiledRoute, reason: string): void {
    const now = Date.now();
    const last = this.#warned.get(route);
    if (last !== undefined && now - last < WARN_INTERVAL) return;
    this.#warned.set(route, now);
    request.log.warn(
      { route: route.label, reason },
      'cachekit: fill failed, requests run the handler uncached (logged once a minute per route)',
    );
  }

  /**
   * Runs the route for `request` and returns the response to store, or `undefined` when it must
   * not be stored (then remembered for `route.passTtl`): not answered by the route's handler, or
   * not storable. Throws {@link UpstreamStatusError} on a 5xx, so that stale-if-error applies,
   * and whatever `inject()` throws (an abort when `signal` fires: the fill timed out).
   */
  async fill(
    request: FastifyRequest,
    route: CompiledRoute,
    key: string,
    passKey: string,
    signal: AbortSignal,
  ): Promise<CachedResponse | undefined> {
    const headers: Record<string, string | string[]> = {};
    for (const name of route.forward) {
      const value = headerOf(request.headers, name);
      if (value !== undefined) headers[name] = typeof value === 'string' ? value : [...value];
    }
    const token = randomUUID();
    headers[FILL_HEADER] = token;
    const state: FillState = {
      route,
      originalUrl: request.originalUrl,
      url: request.url,
      streamed: false,
      reached: false,
      refused: false,
    };
    this.#running.set(token, state);
    // A timed-out fill's token dies with it: a late hook of it is just another request.
    const forget = (): void => void this.#running.delete(token);
    signal.addEventListener('abort', forget, { once: true });
    let response: Awaited<ReturnType<FastifyInstance['inject']>>;
    try {
      response = await this.#app.inject({
        method: 'GET',
        // Byte-identical to what Fastify routed (lookup bypasses targets inject would alter).
        url: request.originalUrl,
        headers,
        remoteAddress: FILL_REMOTE_ADDRESS,
        signal,
      });
    } finally {
      forget();
      signal.removeEventListener('abort', forget);
    }
    const status = response.statusCode;
    if (status >= 500) {
      this.failed(request, route, `status ${status}`);
      throw new UpstreamStatusError(request.url, status);
    }
    if (!state.reached) {
      this.failed(
        request,
        route,
        state.refused
          ? 'the fill reached another route, which refused it'
          : `status ${status} before the handler: a hook answered the fill, or it reached another route`,
      );
      this.pass(passKey, route.passTtl);
      return undefined;
    }
    const reason = unstorableReason(response, state.streamed, route);
    if (reason !== undefined) {
      this.pass(passKey, route.passTtl);
      request.log.debug({ route: route.label, reason }, 'cachekit: response not cached');
      return undefined;
    }
    return toCachedResponse(response, key, Date.now(), route.ttl);
  }
}

import { type Cache, type Duration, InvalidOptionError, type Policy } from '@cachekit/core';
import type { FastifyRequest } from 'fastify';

/** Route generics as the cache callbacks see them: params as strings, the rest as Fastify's defaults. */
export interface CacheRouteGeneric {
  Params: Record<string, string | undefined>;
}

/** The request given to `key`, `tags` and `principal`. */
export type CacheRequest = FastifyRequest<CacheRouteGeneric>;

/**
 * A function of the request. (Declared as a method so that a function typed for a more specific
 * request, `FastifyRequest<{ Params: { id: string } }>`, is accepted too.)
 */
export type RequestFunction<R> = { bivarianceHack(request: CacheRequest): R }['bivarianceHack'];

/** Who is asking, for routes with `scope: 'private'`: a non-empty id, or `undefined` (not cached). */
export type PrincipalFunction = RequestFunction<string | undefined>;

/** Options of the plugin (`app.register(cachekitFastify, options)`). */
export interface CachekitFastifyOptions {
  /**
   * The core cache responses are stored in (required): its store, L1, `sync`, `timeout` and
   * `lock` apply. The plugin uses a child namespace of it and never closes it.
   */
  cache: Cache;
  /** Child namespace of `cache` holding the responses (letters, digits, `_.-`). Default: `'http'`. */
  namespace?: string;
  /**
   * Identity of the caller for routes with `scope: 'private'` (a user id from a verified token,
   * a session id...); `undefined` means "not cached". A route's own `principal` overrides it.
   * Default: none (then every private route must give its own).
   */
  principal?: PrincipalFunction;
}

/** Per-route cache settings: `app.get(url, { config: { cache: { ... } } }, handler)`. */
export interface RouteCacheOptions {
  /** Policy giving the TTL (and, for EVENT_DRIVEN, the events that invalidate). `policy` or `ttl` is required. */
  policy?: Policy;
  /** TTL overriding the policy's (`'10s'`, or ms). `policy` or `ttl` is required. */
  ttl?: Duration;
  /** Tags for `app.cache.invalidateTags`: fixed, or computed from the request. Default: none. */
  tags?: readonly string[] | RequestFunction<readonly string[]>;
  /**
   * Replaces the URL part of the key (method, `vary` values and principal are still added): requests
   * for which it returns the same non-empty string share one entry. Default: the path and the
   * query string with its parameters sorted.
   */
  key?: RequestFunction<string>;
  /**
   * Request headers the response depends on: their values are part of the key and they are the
   * only headers (with the constraint headers, and `authorization` and `cookie` on private
   * routes) the handler sees when it fills the cache. Sent back in `Vary` (with `authorization`,
   * and `cookie` on private routes). Default: `[]`.
   */
  vary?: readonly string[];
  /**
   * `'public'`: one entry for everyone, `Cache-Control: public`, `Vary: authorization`;
   * requests with `Authorization` bypass the cache. `'private'`: one entry per principal,
   * `Cache-Control: private`, `Vary: authorization, cookie`. Default: `'public'`.
   */
  scope?: 'public' | 'private';
  /** Principal of this route, overriding the plugin's `principal`. Default: the plugin's. */
  principal?: PrincipalFunction;
  /**
   * After the TTL, serve the expired response at once for this long while one background
   * refresh runs (`STALE`). Default: `0` (none).
   */
  staleWhileRevalidate?: Duration | 0;
  /**
   * After the TTL, serve the expired response for this long when the handler answers 5xx or
   * fails (`STALE`). Default: `0` (none).
   */
  staleIfError?: Duration | 0;
  /** Largest body stored, in bytes; larger responses are served but not cached. Default: `1_048_576` (1 MiB). */
  maxBodySize?: number;
  /**
   * Longest a fill may take (the loader's `hardTimeout`): past it the fill is aborted and the
   * requests waiting for it get the stale response if there is one, else run the handler
   * themselves (fail open); the failure is logged and remembered for a short while. Default: `'30s'`.
   */
  fillTimeout?: Duration;
}

/** Plugin options with defaults applied. */
export interface ResolvedPluginOptions {
  readonly cache: Cache;
  readonly namespace: string;
  readonly principal: PrincipalFunction | undefined;
}

const NAME = /^[A-Za-z0-9_.-]+$/;

/** Validates the plugin options, throwing `InvalidOptionError` (E_INVALID_OPTION) naming the option. */
export function resolvePluginOptions(options: CachekitFastifyOptions): ResolvedPluginOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidOptionError(
      '@cachekit/fastify expects options: { cache, namespace?, principal? }.',
    );
  }
  const { cache } = options;
  if (
    cache === null ||
    typeof cache !== 'object' ||
    typeof cache.getOrSet !== 'function' ||
    typeof cache.namespace !== 'function'
  ) {
    throw new InvalidOptionError(
      '@cachekit/fastify: `cache` must be a cache from createCache() (@cachekit/core).',
    );
  }
  const namespace = options.namespace ?? 'http';
  if (typeof namespace !== 'string' || !NAME.test(namespace)) {
    throw new InvalidOptionError(
      `@cachekit/fastify: invalid namespace ${JSON.stringify(namespace)}: use letters, digits, '_', '.' or '-'.`,
    );
  }
  if (options.principal !== undefined && typeof options.principal !== 'function') {
    throw new InvalidOptionError(
      '@cachekit/fastify: `principal` must be a function (request) => string | undefined.',
    );
  }
  return { cache, namespace, principal: options.principal };
}

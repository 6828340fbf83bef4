import { CacheError } from '@cachekit/core';

/**
 * A route with `config.cache` answered a request, but it was declared where the plugin could not
 * see it: before the plugin was registered (`await app.register(cachekitFastify, ...)` first), or
 * in a scope registered before it. Thrown from the request's `onRequest` hook (a 500 response).
 */
export class RouteBeforePluginError extends CacheError {
  static readonly code = 'E_ROUTE_BEFORE_PLUGIN';
  /** The route's method(s), as declared. */
  readonly method: string;
  /** The route's URL pattern. */
  readonly url: string;

  constructor(method: string, url: string) {
    super(
      RouteBeforePluginError.code,
      `Route ${method} ${url} has config.cache but was declared before @cachekit/fastify was ` +
        'registered, so it is not cached. Register the plugin first (`await app.register(cachekitFastify, ' +
        '{ cache })`), then declare the route, or declare it in a plugin registered after it.',
    );
    this.method = method;
    this.url = url;
  }
}

/** A route's `config.cache` is invalid (no policy or ttl, a bad duration, a bad `vary`...). */
export class InvalidRouteCacheError extends CacheError {
  static readonly code = 'E_INVALID_ROUTE_CACHE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(InvalidRouteCacheError.code, message, options);
  }
}

/**
 * The handler answered a cache fill with a 5xx status. Nothing is stored; within `staleIfError`
 * the stale response is served instead, otherwise each waiting request runs the handler itself.
 */
export class UpstreamStatusError extends CacheError {
  static readonly code = 'E_UPSTREAM_STATUS';
  /** The status the handler answered with. */
  readonly status: number;

  constructor(url: string, status: number) {
    super(
      UpstreamStatusError.code,
      `GET ${url} answered ${status}: the response is not cached (stale-if-error may serve an older one).`,
    );
    this.status = status;
  }
}

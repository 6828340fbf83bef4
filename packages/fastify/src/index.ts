import type { FastifyCachekit } from './decorator.js';
import type { RouteCacheOptions } from './options.js';
import { fastifyCachekit } from './plugin.js';

export type { FastifyCachekit, InvalidateOptions } from './decorator.js';
export type { CachedResponse } from './entry.js';
export { InvalidRouteCacheError, RouteBeforePluginError, UpstreamStatusError } from './errors.js';
export { FILL_HEADER, FILL_REMOTE_ADDRESS } from './fill.js';
export type {
  CachekitFastifyOptions,
  CacheRequest,
  CacheRouteGeneric,
  PrincipalFunction,
  RequestFunction,
  RouteCacheOptions,
} from './options.js';
export type { CacheStatus } from './serve.js';
export { fastifyCachekit };
export default fastifyCachekit;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Caches this route's GET/HEAD responses (see `RouteCacheOptions`); absent or `false`: not cached. */
    cache?: RouteCacheOptions | false;
  }
  interface FastifyInstance {
    /** Invalidation of cached responses, from `@cachekit/fastify`. */
    cache: FastifyCachekit;
  }
}

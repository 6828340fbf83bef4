import type { Cache, EntryOptions, LoaderContext } from '@cachekit/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalUrl, keyParts, urlTag, varyPart } from './cache-key.js';
import { ifNoneMatch } from './conditional.js';
import { bodyOf, type CachedResponse, isCachedResponse } from './entry.js';
import { InvalidRouteCacheError, UpstreamStatusError } from './errors.js';
import type { Filler } from './fill.js';
import type { CacheRequest } from './options.js';
import type { CompiledRoute } from './route-config.js';

/** What the hooks of one plugin instance share. */
export interface PluginState {
  /** The plugin's namespace of the user's cache. */
  readonly cache: Cache;
  readonly namespace: string;
  readonly filler: Filler;
  /** Requests answered from the cache (the others on cached routes are marked BYPASS). */
  readonly served: WeakSet<FastifyRequest>;
}

/** How a response was served: `x-cache`. */
export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

/** A response to serve from the cache. */
export interface Outcome {
  readonly entry: CachedResponse;
  readonly status: CacheStatus;
}

function withTags(options: EntryOptions, tags: readonly string[]): EntryOptions {
  return tags.length === 0 ? options : { ...options, tags: [...(options.tags ?? []), ...tags] };
}

function resourceOf(route: CompiledRoute, request: FastifyRequest, canonical: string): string {
  if (route.key === undefined) return canonical;
  const key = route.key(request as CacheRequest);
  if (typeof key !== 'string' || key === '') {
    throw new InvalidRouteCacheError(`Route ${route.label}: key() must return a non-empty string.`);
  }
  return key;
}

function requestTags(
  state: PluginState,
  route: CompiledRoute,
  request: FastifyRequest,
  canonical: string,
): string[] {
  const tags: string[] = [];
  if (route.tags !== undefined) {
    const computed = route.tags(request as CacheRequest);
    if (!Array.isArray(computed)) {
      throw new InvalidRouteCacheError(
        `Route ${route.label}: tags() must return an array of strings.`,
      );
    }
    tags.push(...computed);
  }
  if (route.urlTagged) tags.push(urlTag(state.namespace, canonical));
  return tags;
}

/** The cached response, or `undefined` when the request must run the handler itself. */
async function read(
  state: PluginState,
  request: FastifyRequest,
  parts: readonly string[],
  loader: (context: LoaderContext) => Promise<CachedResponse | undefined>,
  options: EntryOptions,
): Promise<CachedResponse | undefined> {
  let value: unknown;
  try {
    value = await state.cache.getOrSet<CachedResponse | undefined>(parts, loader, options);
  } catch (error) {
    // A 5xx with nothing stale to serve: each request runs the handler. Anything else failed open.
    if (!(error instanceof UpstreamStatusError)) {
      request.log.warn({ err: error }, 'cachekit: cache unavailable, answering uncached');
    }
    return undefined;
  }
  if (value === undefined || isCachedResponse(value)) return value;
  request.log.warn('cachekit: dropping a malformed cached response');
  state.cache.delete(parts).catch(() => undefined);
  return undefined;
}

/**
 * Looks the request up (filling the cache on a miss), or returns `undefined` to bypass the cache:
 * not GET/HEAD, NO_CACHE, a Range request, `Authorization` on a public route, no principal on a
 * private one, a key recently found not storable, a response that must not be stored, a failure.
 */
export async function lookup(
  state: PluginState,
  route: CompiledRoute,
  request: FastifyRequest,
): Promise<Outcome | undefined> {
  const { method, headers } = request;
  if ((method !== 'GET' && method !== 'HEAD') || !route.cacheable) return undefined;
  if (headers.range !== undefined) return undefined;
  let principal: string | undefined;
  if (route.principal !== undefined) {
    principal = route.principal(request as CacheRequest);
    if (typeof principal !== 'string' || principal === '') return undefined;
  } else if (headers.authorization !== undefined) {
    return undefined;
  }
  const canonical = canonicalUrl(request.url);
  const vary = route.vary.map((name) => varyPart(name, headers[name]));
  const parts = keyParts(resourceOf(route, request, canonical), vary, principal);
  const passKey = parts.join('\n');
  if (state.filler.passes(passKey)) return undefined;
  const tags = requestTags(state, route, request, canonical);
  let produced: CachedResponse | undefined;
  const loader = async ({ key }: LoaderContext): Promise<CachedResponse | undefined> => {
    produced = await state.filler.fill(request, route, key, passKey);
    return produced;
  };
  let entry = await read(state, request, parts, loader, withTags(route.options, tags));
  if (entry === undefined) return undefined;
  let staleFor = Date.now() - entry.storedAt - route.ttl;
  if (route.revalidate !== undefined && staleFor > route.staleWhileRevalidate) {
    // Past the SWR window but within a longer stale-if-error: wait for the handler this time.
    entry = await read(state, request, parts, loader, withTags(route.revalidate, tags));
    if (entry === undefined) return undefined;
    staleFor = Date.now() - entry.storedAt - route.ttl;
  }
  const status = entry === produced ? 'MISS' : staleFor >= 0 ? 'STALE' : 'HIT';
  return { entry, status };
}

/** Sends a cached response: headers derived from the policy, 304 on a matching If-None-Match. */
export function respond(
  state: PluginState,
  route: CompiledRoute,
  request: FastifyRequest,
  reply: FastifyReply,
  { entry, status }: Outcome,
): FastifyReply {
  state.served.add(request);
  const age = Math.max(0, Math.floor((Date.now() - entry.storedAt) / 1000));
  reply
    .header('etag', entry.etag)
    .header('cache-control', route.cacheControl)
    .header('age', String(age))
    .header('x-cache', status);
  if (route.varyHeader !== undefined) reply.header('vary', route.varyHeader);
  if (ifNoneMatch(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
  for (const [name, value] of Object.entries(entry.headers)) {
    // Headers this request's own hooks set (CORS, request ids...) win over the stored ones.
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
  const body = bodyOf(entry);
  return reply.code(entry.status).send(body.length === 0 ? undefined : body);
}

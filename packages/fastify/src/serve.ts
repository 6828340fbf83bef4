import {
  type Cache,
  type EntryOptions,
  type LoaderContext,
  LoaderTimeoutError,
} from '@cachekit/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { canonicalUrl, keyParts, passKeyOf, urlTag, varyPart } from './cache-key.js';
import { ifNoneMatch } from './conditional.js';
import { bodyOf, type CachedResponse, isCachedResponse } from './entry.js';
import { InvalidRouteCacheError, UpstreamStatusError } from './errors.js';
import { type Filler, headerOf } from './fill.js';
import type { CacheRequest } from './options.js';
import { isReplayable } from './request-target.js';
import { type CompiledRoute, cacheControlOf } from './route-config.js';

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

/** One lookup of a request: what `read` needs. */
interface Lookup {
  readonly route: CompiledRoute;
  readonly request: FastifyRequest;
  readonly parts: readonly string[];
  readonly passKey: string;
  readonly loader: (context: LoaderContext) => Promise<CachedResponse | undefined>;
}

/** The cached response, or `undefined` when the request must run the handler itself. */
async function read(
  state: PluginState,
  { route, request, parts, passKey, loader }: Lookup,
  options: EntryOptions,
): Promise<CachedResponse | undefined> {
  let value: unknown;
  try {
    value = await state.cache.getOrSet<CachedResponse | undefined>(parts, loader, options);
  } catch (error) {
    // Nothing stale to serve (else the cache would have served it): each request runs the
    // handler, and for a short while the fill is not tried again (hit-for-pass).
    state.filler.pass(passKey, route.failurePassTtl);
    if (error instanceof LoaderTimeoutError) {
      state.filler.failed(request, route, `no answer within fillTimeout (${route.fillTimeout} ms)`);
    } else if (!(error instanceof UpstreamStatusError)) {
      request.log.warn({ err: error }, 'cachekit: cache or fill failed, answering uncached');
    }
    return undefined;
  }
  if (value === undefined || isCachedResponse(value)) return value;
  request.log.warn('cachekit: dropping a malformed cached response');
  state.cache.delete(parts).catch(() => undefined);
  return undefined;
}

/** Age of an entry in ms past its own TTL (negative while fresh). */
function staleness(entry: CachedResponse, route: CompiledRoute): number {
  return Date.now() - entry.storedAt - (entry.ttl ?? route.ttl);
}

/**
 * Looks the request up (filling the cache on a miss), or returns `undefined` to bypass the cache:
 * not GET/HEAD, NO_CACHE, a Range request, a request target a fill could not replay exactly (dot
 * segments, backslashes...), `Authorization` on a public route, no principal on a private one, a
 * key recently found not storable or failing, a response that must not be stored, a failure.
 */
export async function lookup(
  state: PluginState,
  route: CompiledRoute,
  request: FastifyRequest,
): Promise<Outcome | undefined> {
  const { method, headers } = request;
  if ((method !== 'GET' && method !== 'HEAD') || !route.cacheable) return undefined;
  if (headers.range !== undefined || !isReplayable(request.originalUrl)) return undefined;
  let principal: string | undefined;
  if (route.principal !== undefined) {
    principal = route.principal(request as CacheRequest);
    if (typeof principal !== 'string' || principal === '') return undefined;
  } else if (headers.authorization !== undefined) {
    return undefined;
  }
  const canonical = canonicalUrl(request.url);
  const vary = route.keyed.map((name) => varyPart(name, headerOf(headers, name)));
  const parts = keyParts(resourceOf(route, request, canonical), vary, principal);
  const passKey = passKeyOf(parts);
  if (state.filler.passes(passKey)) return undefined;
  const tags = requestTags(state, route, request, canonical);
  let produced: CachedResponse | undefined;
  const loader = async ({ key, signal }: LoaderContext): Promise<CachedResponse | undefined> => {
    produced = await state.filler.fill(request, route, key, passKey, signal);
    return produced;
  };
  const job: Lookup = { route, request, parts, passKey, loader };
  let entry = await read(state, job, withTags(route.options, tags));
  if (entry === undefined) return undefined;
  let staleFor = staleness(entry, route);
  if (route.revalidate !== undefined && staleFor > route.staleWhileRevalidate) {
    // Past the SWR window but within a longer stale-if-error: wait for the handler this time.
    entry = await read(state, job, withTags(route.revalidate, tags));
    if (entry === undefined) return undefined;
    staleFor = staleness(entry, route);
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
    .header('cache-control', cacheControlOf(route, entry.ttl ?? route.ttl))
    .header('age', String(age))
    .header('x-cache', status)
    .header('vary', route.varyHeader);
  if (ifNoneMatch(request.headers['if-none-match'], entry.etag)) return reply.code(304).send();
  for (const [name, value] of Object.entries(entry.headers)) {
    // Headers this request's own hooks set (CORS, request ids...) win over the stored ones.
    if (!reply.hasHeader(name)) reply.header(name, value);
  }
  const body = bodyOf(entry);
  return reply.code(entry.status).send(body.length === 0 ? undefined : body);
}

import { type Cache, type Duration, type EntryOptions, toMilliseconds } from '@cachekit/core';
import { InvalidRouteCacheError } from './errors.js';
import type { PrincipalFunction, RequestFunction, RouteCacheOptions } from './options.js';

/** Default `maxBodySize`: 1 MiB. */
export const DEFAULT_MAX_BODY_SIZE = 1_048_576;
/** Longest a "not storable" verdict is remembered (hit-for-pass), capped by the route's TTL. */
export const MAX_PASS_TTL = 10_000;
/** How long a failed fill (5xx, timeout, error) with nothing stale to serve is remembered. */
export const FAILURE_PASS_TTL = 2_000;
/** Default `fillTimeout`: 30 s. */
export const DEFAULT_FILL_TIMEOUT = 30_000;
/** A soft timeout that never fires: wait for the handler (overrides a cache-wide softTimeout). */
const WAIT = 2_147_483_647;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const KEYS = new Set([
  'policy',
  'ttl',
  'tags',
  'key',
  'vary',
  'scope',
  'principal',
  'staleWhileRevalidate',
  'staleIfError',
  'maxBodySize',
  'fillTimeout',
]);

/** Where a route sits in the router, as the fill must reach it again. */
export interface RouteBinding {
  /** Same for the routes a fill may land on (path + constraints): GET and its HEAD twin. */
  readonly id: string;
  /** Request headers the route's constraints are derived from (`host`, `accept-version`). */
  readonly headers: readonly string[];
}

/** A route's `config.cache`, validated and resolved once when the route is declared. */
export interface CompiledRoute {
  /** `GET /miners/:id`, for messages. */
  readonly label: string;
  /** The route's place in the router: a fill is only accepted by a route with the same id. */
  readonly id: string;
  /** False under NO_CACHE: every request bypasses the cache. */
  readonly cacheable: boolean;
  /** TTL in ms. */
  readonly ttl: number;
  readonly staleWhileRevalidate: number;
  readonly staleIfError: number;
  readonly scope: 'public' | 'private';
  /** Lower-cased, sorted, unique header names. */
  readonly vary: readonly string[];
  /** Headers in the key (sorted): `vary` plus the constraint headers (`host`, `accept-version`). */
  readonly keyed: readonly string[];
  /** Request headers the fill request carries: `keyed`, plus `authorization` and `cookie` if private. */
  readonly forward: readonly string[];
  readonly key: RequestFunction<string> | undefined;
  readonly tags: RequestFunction<readonly string[]> | undefined;
  readonly principal: PrincipalFunction | undefined;
  /** Entries carry their URL's tag (their key is not the URL alone), for `invalidate(url)`. */
  readonly urlTagged: boolean;
  readonly maxBodySize: number;
  /** Core entry options (static tags included). */
  readonly options: EntryOptions;
  /** The same, waiting for the handler: past the SWR window, within a longer `staleIfError`. */
  readonly revalidate: EntryOptions | undefined;
  readonly cacheControl: string;
  /** Headers in `Vary` (sorted): `keyed` minus `host`, `authorization`, and `cookie` if private. */
  readonly varies: readonly string[];
  /** `Vary` of served responses: `varies` joined. */
  readonly varyHeader: string;
  /** `fillTimeout` in ms: the loader's `hardTimeout`. */
  readonly fillTimeout: number;
  /** How long a "not storable" verdict for a key is remembered, in ms. */
  readonly passTtl: number;
  /** How long a failed fill is remembered when there was nothing stale to serve, in ms. */
  readonly failurePassTtl: number;
}

function fail(label: string, message: string, cause?: unknown): never {
  throw new InvalidRouteCacheError(
    `Route ${label}: config.cache ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function duration(label: string, value: Duration | 0 | undefined, what: string): number {
  if (value === undefined || value === 0) return 0;
  try {
    return toMilliseconds(value, what);
  } catch (error) {
    return fail(label, `has an invalid ${what}: ${(error as Error).message}`, error);
  }
}

function optionalFunction<T>(label: string, value: T | undefined, what: string): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    fail(label, `${what} must be a function of the request.`);
  }
  return value;
}

function varyNames(label: string, vary: unknown): string[] {
  if (vary === undefined) return [];
  if (!Array.isArray(vary))
    fail(label, "vary must be an array of header names, e.g. ['accept-language'].");
  const names = new Set<string>();
  for (const name of vary) {
    if (typeof name !== 'string' || !TOKEN.test(name)) {
      fail(label, `vary has an invalid header name ${JSON.stringify(name)}.`);
    }
    names.add(name.toLowerCase());
  }
  return [...names].sort();
}

function cacheControlFor(scope: string, ttl: number, swr: number, sie: number): string {
  let value = `${scope}, max-age=${Math.floor(ttl / 1000)}`;
  if (swr > 0) value += `, stale-while-revalidate=${Math.floor(swr / 1000)}`;
  if (sie > 0) value += `, stale-if-error=${Math.floor(sie / 1000)}`;
  return value;
}

/** `Cache-Control` of a response served from an entry stored with `ttl` ms. */
export function cacheControlOf(route: CompiledRoute, ttl: number): string {
  if (ttl === route.ttl) return route.cacheControl;
  return cacheControlFor(route.scope, ttl, route.staleWhileRevalidate, route.staleIfError);
}

/**
 * Validates a route's `config.cache` and resolves it against the cache (policy, TTL + grace
 * within `maxTtl`, tags), throwing {@link InvalidRouteCacheError} naming the route.
 */
export function compileRoute(
  input: unknown,
  label: string,
  cache: Cache,
  pluginPrincipal: PrincipalFunction | undefined,
  binding: RouteBinding = { id: label, headers: [] },
): CompiledRoute {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    fail(label, 'must be an object ({ policy } or { ttl }) or false.');
  }
  const config = input as RouteCacheOptions;
  for (const name of Object.keys(config)) {
    if (!KEYS.has(name)) fail(label, `has an unknown option ${JSON.stringify(name)}.`);
  }
  if (config.policy === undefined && config.ttl === undefined) {
    fail(label, "needs a policy (EPHEMERAL, MODERATE...) or a ttl ('10s').");
  }
  const scope = config.scope ?? 'public';
  if (scope !== 'public' && scope !== 'private')
    fail(label, "scope must be 'public' or 'private'.");
  const principal = optionalFunction(label, config.principal, 'principal') ?? pluginPrincipal;
  if (scope === 'private' && principal === undefined) {
    fail(label, "has scope 'private' but no principal: give one to the plugin or to the route.");
  }
  const key = optionalFunction(label, config.key, 'key');
  const tagsFn = typeof config.tags === 'function' ? config.tags : undefined;
  if (config.tags !== undefined && tagsFn === undefined && !Array.isArray(config.tags)) {
    fail(label, 'tags must be an array of strings or a function of the request.');
  }
  const vary = varyNames(label, config.vary);
  const maxBodySize = config.maxBodySize ?? DEFAULT_MAX_BODY_SIZE;
  if (!Number.isSafeInteger(maxBodySize) || maxBodySize <= 0) {
    fail(label, 'maxBodySize must be a positive integer (bytes).');
  }
  const swr = duration(label, config.staleWhileRevalidate, 'staleWhileRevalidate');
  const sie = duration(label, config.staleIfError, 'staleIfError');
  const fillTimeout =
    config.fillTimeout === undefined
      ? DEFAULT_FILL_TIMEOUT
      : duration(label, config.fillTimeout, 'fillTimeout');
  if (fillTimeout <= 0) fail(label, 'fillTimeout must be a positive duration.');
  const grace = Math.max(swr, sie);
  const options: EntryOptions = {
    ...(config.policy === undefined ? {} : { policy: config.policy }),
    ...(config.ttl === undefined ? {} : { ttl: config.ttl }),
    grace,
    ...(grace === 0 ? {} : { softTimeout: swr > 0 ? 0 : WAIT }),
    // A fill that hangs fails open: waiters get the stale response, or run their own handler.
    hardTimeout: fillTimeout,
    ...(tagsFn === undefined && config.tags !== undefined ? { tags: config.tags as string[] } : {}),
  };
  let plan: ReturnType<Cache['plan']>;
  try {
    plan = cache.plan(options);
  } catch (error) {
    return fail(label, `is invalid: ${(error as Error).message}`, error);
  }
  const keyed = [...new Set([...vary, ...binding.headers])].sort();
  const forward = new Set(keyed);
  if (scope === 'private') forward.add('authorization').add('cookie');
  // Host is part of every cache's key already; Authorization (public routes bypass on it) and
  // Cookie (private ones key by a principal derived from them) are for downstream caches.
  const varied = new Set(keyed.filter((name) => name !== 'host')).add('authorization');
  if (scope === 'private') varied.add('cookie');
  return {
    label,
    id: binding.id,
    cacheable: plan.cache,
    ttl: plan.ttl,
    staleWhileRevalidate: swr,
    staleIfError: sie,
    scope,
    vary,
    keyed,
    forward: [...forward],
    key,
    tags: tagsFn,
    principal: scope === 'private' ? principal : undefined,
    urlTagged: key !== undefined || keyed.length > 0 || scope === 'private',
    maxBodySize,
    options,
    revalidate: swr > 0 && sie > swr ? { ...options, softTimeout: WAIT } : undefined,
    cacheControl: cacheControlFor(scope, plan.ttl, swr, sie),
    varies: [...varied].sort(),
    varyHeader: [...varied].sort().join(', '),
    fillTimeout,
    passTtl: Math.min(plan.ttl, MAX_PASS_TTL),
    failurePassTtl: Math.min(plan.ttl, FAILURE_PASS_TTL),
  };
}

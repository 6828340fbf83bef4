import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders } from 'node:http';
import type { CompiledRoute } from './route-config.js';

/** A response as stored in the cache: plain JSON. */
export interface CachedResponse {
  readonly status: number;
  /** Response headers, minus hop-by-hop and the ones the plugin derives (cache-control, age...). */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
  /** How `body` encodes the bytes. */
  readonly encoding: 'utf8' | 'base64';
  /** Strong ETag: a hash of the key, the status, the content type and the body. */
  readonly etag: string;
  /** When the handler produced it (ms since epoch): `Age` counts from here. */
  readonly storedAt: number;
  /**
   * The TTL it was stored with, in ms: labels (`HIT`/`STALE`) and `max-age` follow it even when
   * another instance or config version filled it. Absent in entries of older versions (then the
   * route's TTL applies).
   */
  readonly ttl?: number;
}

/** What a fill request produced, as `inject()` returns it. */
export interface FillResponse {
  readonly statusCode: number;
  readonly headers: OutgoingHttpHeaders;
  readonly rawPayload: Buffer;
  readonly payload: string;
}

/** Headers never stored: hop-by-hop (RFC 9110 7.6.1), and those derived when serving. */
const DROPPED = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'date',
  'age',
  'etag',
  'expires',
  'cache-control',
  'vary',
  'x-cache',
  'set-cookie',
]);

function directives(value: unknown): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : typeof value === 'string' ? value : '';
  const found = new Set<string>();
  for (const item of text.split(',')) {
    const name = item.split('=')[0]?.trim().toLowerCase();
    if (name !== undefined && name !== '') found.add(name);
  }
  return found;
}

/**
 * Why a fill response must not be stored, or `undefined` if it may: a status other than 2xx
 * (206 included), a stream payload, `Set-Cookie`, `Cache-Control: no-store / no-cache` (or
 * `private` on a public route), a `Vary` naming a header the route does not vary by (its keyed
 * headers, `authorization`, and `cookie` on private routes), or a body above `maxBodySize`.
 */
export function unstorableReason(
  response: FillResponse,
  streamed: boolean,
  route: CompiledRoute,
): string | undefined {
  const { statusCode: status, headers } = response;
  if (status < 200 || status > 299 || status === 206) return `status ${status}`;
  if (streamed) return 'a stream payload';
  if (headers['set-cookie'] !== undefined) return 'Set-Cookie';
  const control = directives(headers['cache-control']);
  if (control.has('no-store') || control.has('no-cache')) return 'Cache-Control no-store/no-cache';
  if (route.scope === 'public' && control.has('private')) return 'Cache-Control private';
  for (const name of directives(headers.vary)) {
    if (!route.varies.includes(name)) return `Vary ${name} (not in the route's vary)`;
  }
  if (response.rawPayload.length > route.maxBodySize) return 'a body above maxBodySize';
  return undefined;
}

/**
 * The stored form of a storable fill response. `key` is the entry's full key (for the ETag),
 * `ttl` the TTL it is stored with.
 */
export function toCachedResponse(
  response: FillResponse,
  key: string,
  now: number,
  ttl: number,
): CachedResponse {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || DROPPED.has(lower)) continue;
    headers[lower] = Array.isArray(value) ? value.map(String) : String(value);
  }
  const raw = response.rawPayload;
  const text = response.payload;
  const utf8 = Buffer.from(text, 'utf8').equals(raw);
  const hash = createHash('sha256')
    .update(key)
    .update('\0')
    .update(String(response.statusCode))
    .update('\0')
    .update(String(headers['content-type'] ?? ''))
    .update('\0')
    .update(raw)
    .digest('base64url');
  return {
    status: response.statusCode,
    headers,
    body: utf8 ? text : raw.toString('base64'),
    encoding: utf8 ? 'utf8' : 'base64',
    etag: `"${hash.slice(0, 32)}"`,
    storedAt: now,
    ttl,
  };
}

/** Whether a value read from the store has the shape of a {@link CachedResponse}. */
export function isCachedResponse(value: unknown): value is CachedResponse {
  const entry = value as Partial<CachedResponse> | null;
  return (
    entry !== null &&
    typeof entry === 'object' &&
    typeof entry.status === 'number' &&
    typeof entry.headers === 'object' &&
    entry.headers !== null &&
    typeof entry.body === 'string' &&
    (entry.encoding === 'utf8' || entry.encoding === 'base64') &&
    typeof entry.etag === 'string' &&
    typeof entry.storedAt === 'number' &&
    (entry.ttl === undefined || typeof entry.ttl === 'number')
  );
}

const bodies = new WeakMap<CachedResponse, Buffer>();

/** The body bytes (memoised per entry object: L1 hands out the same object on every hit). */
export function bodyOf(entry: CachedResponse): Buffer {
  let body = bodies.get(entry);
  if (body === undefined) {
    body = Buffer.from(entry.body, entry.encoding);
    bodies.set(entry, body);
  }
  return body;
}

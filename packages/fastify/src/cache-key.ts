import { createHash } from 'node:crypto';

/** Longest readable key (parts joined); longer ones are replaced by a hash, so keys stay bounded. */
export const MAX_READABLE_KEY = 300;

const ESCAPE = /%[0-9a-fA-F]{2}/g;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** SHA-256 of `text`, base64url. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** Percent-escapes of unreserved characters decoded, the others upper-cased (RFC 3986 6.2.2). */
function normaliseEscapes(text: string): string {
  return text.replace(ESCAPE, (sequence) => {
    const char = String.fromCharCode(Number.parseInt(sequence.slice(1), 16));
    return UNRESERVED.test(char) ? char : sequence.toUpperCase();
  });
}

/** One query component (`+` is a space) decoded and re-encoded one way; malformed ones kept. */
function normaliseComponent(text: string): string {
  try {
    return encodeURIComponent(decodeURIComponent(text.replaceAll('+', ' ')));
  } catch {
    // Never equal to a well-formed one: it keeps its invalid escape.
    return normaliseEscapes(text);
  }
}

/** A request target in origin form: an absolute URL reduced to its path and query, no fragment. */
export function originForm(url: string): string {
  let target = url;
  const scheme = SCHEME.exec(target);
  if (scheme !== null) {
    const slash = target.indexOf('/', scheme[0].length);
    target = slash === -1 ? '/' : target.slice(slash);
  }
  const hash = target.indexOf('#');
  return hash === -1 ? target : target.slice(0, hash);
}

/**
 * The canonical form of a request target: the path with normalised escapes, then the query
 * parameters sorted by name (a stable sort: repeated parameters keep their order), each decoded
 * and re-encoded one way (`a=x+y` and `a=x%20y` are the same). An absolute URL is reduced to its
 * path and query; a fragment is dropped.
 */
export function canonicalUrl(url: string): string {
  const target = originForm(url);
  const mark = target.indexOf('?');
  const path = normaliseEscapes(mark === -1 ? target : target.slice(0, mark));
  if (mark === -1) return path;
  const params: Array<{ name: string; pair: string }> = [];
  for (const pair of target.slice(mark + 1).split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = normaliseComponent(equals === -1 ? pair : pair.slice(0, equals));
    const value = equals === -1 ? '' : normaliseComponent(pair.slice(equals + 1));
    params.push({ name, pair: `${name}=${value}` });
  }
  if (params.length === 0) return path;
  params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `${path}?${params.map((param) => param.pair).join('&')}`;
}

/** The key parts of a `vary` header: `name=value`, or `name` alone when the request has none. */
export function varyPart(name: string, value: string | readonly string[] | undefined): string {
  if (value === undefined) return name;
  return `${name}=${typeof value === 'string' ? value.trim() : value.join(', ')}`;
}

/**
 * First part of a hashed key. Readable keys always start with `GET`, so no resource, `vary`
 * value or principal (all placed after it) can produce a hashed key, whatever it contains.
 */
export const HASHED_KEY = '#sha256';

/**
 * The key of a response: `GET` (HEAD shares it), the resource (canonical URL or the route's
 * `key`), the keyed header parts, then `@<principal>` on private routes. Parts are escaped by the
 * core cache, so they cannot run into each other. A long key becomes {@link HASHED_KEY} + a hash
 * of the JSON array of its parts (an unambiguous encoding: a part containing a newline or a
 * quote cannot shift the others).
 */
export function keyParts(
  resource: string,
  vary: readonly string[],
  principal: string | undefined,
): string[] {
  const parts = ['GET', resource, ...vary];
  if (principal !== undefined) parts.push(`@${principal}`);
  let length = 0;
  for (const part of parts) length += part.length + 1;
  if (length <= MAX_READABLE_KEY) return parts;
  return [HASHED_KEY, digest(JSON.stringify(parts))];
}

/** The hit-for-pass key of a response key: its parts, encoded unambiguously. */
export function passKeyOf(parts: readonly string[]): string {
  return JSON.stringify(parts);
}

/**
 * The tag every variant of one URL carries (Vary values, principals, custom keys), so that
 * `app.cache.invalidate(url)` drops them all in O(1).
 */
export function urlTag(namespace: string, canonical: string): string {
  const tag = `@url:${namespace}:${canonical}`;
  return tag.length <= MAX_READABLE_KEY ? tag : `@url:${namespace}#${digest(canonical)}`;
}

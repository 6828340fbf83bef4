/** The base `inject()` (light-my-request) resolves request targets against. */
const INJECT_BASE = 'http://localhost';
/** A `.` or `..` path segment, the dots possibly percent-encoded (WHATWG resolves all of them). */
const DOT_SEGMENT = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)/i;
/**
 * Targets the WHATWG parser leaves alone, checked without parsing (the common case): a path of
 * characters it never encodes, with no `.` or `%` (no dot segment possible), and an optional
 * non-empty query of characters it never encodes. Anything else takes the full check.
 */
const PLAIN = /^\/(?!\/)[A-Za-z0-9\-_~!$&()*+,;=:@/]*(?:\?[A-Za-z0-9\-_~!$&()*+,;=:@/?%.]+)?$/;

/**
 * Whether a fill can replay this request target exactly: `inject()` parses its URL with the
 * WHATWG parser, which resolves dot segments (`/files/../admin`, `%2e%2e`), turns `\` into `/`,
 * drops a fragment or an empty `?` and percent-encodes some characters, while Fastify routed
 * the raw target. A fill of such a target could run another route (from the fill's address,
 * without the client's headers) and store its answer under this URL, so such requests bypass
 * the cache. Only origin-form targets that inject() reproduces byte for byte are replayable.
 */
export function isReplayable(target: string): boolean {
  if (PLAIN.test(target)) return true;
  if (target.charCodeAt(0) !== 47 /* / */) return false;
  if (target.includes('\\')) return false;
  const mark = target.indexOf('?');
  if (DOT_SEGMENT.test(mark === -1 ? target : target.slice(0, mark))) return false;
  let parsed: URL;
  try {
    // As light-my-request does: a target starting with `//` is a path, not a host.
    parsed = target.startsWith('//') ? new URL(INJECT_BASE + target) : new URL(target, INJECT_BASE);
  } catch {
    return false;
  }
  return parsed.pathname + parsed.search === target;
}

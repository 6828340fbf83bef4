/** Characters a session or stream id may keep as they are in keys and event ids. */
const SAFE = /^[A-Za-z0-9_-]+$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Marks an encoded part; it is neither a safe character nor a base64url one, so parts stay unambiguous. */
const ENCODED = '~';

/**
 * Makes a session or stream id safe for a Redis key and an SSE `id:` field. UUIDs and the SDK's
 * `_GET_stream` stay readable; anything else (`.`, `:`, braces, newlines, empty) becomes
 * `~<base64url>`. The mapping is injective, so two ids never share a key.
 */
export function encodePart(value: string): string {
  return SAFE.test(value) ? value : ENCODED + Buffer.from(value, 'utf8').toString('base64url');
}

/** The inverse of {@link encodePart}, or `undefined` if `part` is not something it produces. */
export function decodePart(part: string): string | undefined {
  if (SAFE.test(part)) return part;
  if (!part.startsWith(ENCODED)) return undefined;
  const body = part.slice(ENCODED.length);
  if (!BASE64URL.test(body)) return undefined;
  const decoded = Buffer.from(body, 'base64url').toString('utf8');
  // Only the canonical form is accepted (no padding tricks, no invalid UTF-8).
  return encodePart(decoded) === part ? decoded : undefined;
}

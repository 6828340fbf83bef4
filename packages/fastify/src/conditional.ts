function opaque(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 13.1.2): `*`, or any listed entity
 * tag by weak comparison (`W/"x"` matches `"x"`).
 */
export function ifNoneMatch(header: string | readonly string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = typeof header === 'string' ? header : header.join(',');
  const wanted = opaque(etag);
  for (const item of text.split(',')) {
    const tag = item.trim();
    if (tag === '*' || opaque(tag) === wanted) return true;
  }
  return false;
}

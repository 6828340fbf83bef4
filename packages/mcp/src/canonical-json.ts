import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so that equal inputs give equal text whatever the
 * order their keys were written in. `undefined` members are left out (as JSON does), `toJSON` is
 * honoured (Dates), a bigint becomes `{"$bigint":"<digits>"}`, non-finite numbers become `null`.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set());
}

function write(value: unknown, seen: Set<object>): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'bigint':
      return `{"$bigint":${JSON.stringify(value.toString())}}`;
    case 'object':
      break;
    default:
      return 'null';
  }
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(), seen);
  if (seen.has(object)) throw new TypeError('Cannot hash a value that contains a cycle.');
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      return `[${object.map((item: unknown) => (item === undefined ? 'null' : write(item, seen))).join(',')}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const member = object[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
        continue;
      }
      members.push(`${JSON.stringify(key)}:${write(member, seen)}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}

/** SHA-256 of `text`, base64url (43 characters): short, key-safe, stable across processes. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** A stable hash of a value: SHA-256 of its {@link canonicalJson}. */
export function stableHash(value: unknown): string {
  return sha256(canonicalJson(value));
}

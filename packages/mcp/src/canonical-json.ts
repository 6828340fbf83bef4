import { createHash } from 'node:crypto';
import { UnhashableInputError } from './errors.js';

/**
 * JSON with object keys sorted at every level, so that equal inputs give equal text whatever the
 * order their keys were written in. `undefined` members are left out (as JSON does), `toJSON` is
 * honoured (Dates, URLs, Buffers), a bigint becomes `{"$bigint":"<digits>"}`, non-finite numbers
 * become `null`.
 *
 * Only values with one stable JSON form are accepted: primitives, arrays, plain objects (prototype
 * `Object.prototype` or `null`) and objects with `toJSON`. Anything else (`Map`, `Set`, class
 * instances, typed arrays, `RegExp`) and cycles throw {@link UnhashableInputError}: JSON would
 * write them as `{}`, and different values would share one hash.
 */
export function canonicalJson(value: unknown): string {
  return write(value, new Set(), '$');
}

function write(value: unknown, seen: Set<object>, path: string): string {
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
  const object = value as Record<string, unknown> & { toJSON?: (key: string) => unknown };
  if (typeof object.toJSON === 'function') return write(object.toJSON(''), seen, path);
  if (seen.has(object)) {
    throw new UnhashableInputError(`Cannot hash a value that contains a cycle (at ${path}).`);
  }
  if (!Array.isArray(object)) assertPlain(object, path);
  seen.add(object);
  try {
    if (Array.isArray(object)) {
      const items = object.map((item: unknown, index) =>
        item === undefined ? 'null' : write(item, seen, `${path}[${index}]`),
      );
      return `[${items.join(',')}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(object).sort()) {
      const member = object[key];
      if (member === undefined || typeof member === 'function' || typeof member === 'symbol') {
        continue;
      }
      members.push(`${JSON.stringify(key)}:${write(member, seen, memberPath(path, key))}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(object);
  }
}

function assertPlain(object: object, path: string): void {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype === Object.prototype || prototype === null) return;
  const kind = (object as { constructor?: { name?: unknown } }).constructor?.name;
  const what = typeof kind === 'string' && kind.length > 0 ? `a ${kind}` : 'a class instance';
  throw new UnhashableInputError(
    `Cannot hash ${what} at ${path}: only primitives, arrays, plain objects and values with ` +
      'toJSON() have one stable JSON form. Keep arrays or plain objects in the validated input ' +
      '(no Map, Set or class instance), or give the class a toJSON().',
  );
}

function memberPath(path: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** SHA-256 of `text`, base64url (43 characters): short, key-safe, stable across processes. */
export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}

/** A stable hash of a value: SHA-256 of its {@link canonicalJson} (throws like it). */
export function stableHash(value: unknown): string {
  return sha256(canonicalJson(value));
}

/**
 * Bytes of JSON of `value`, for input size limits: `canonicalJson` when it has a stable form,
 * else a lenient rendering (a `Map` as its entries, a `Set` or typed array as its items, other
 * objects as their own enumerable members).
 */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value, (_key, member: unknown) => {
    if (typeof member === 'bigint') return member.toString();
    if (member instanceof Map) return [...member];
    if (member instanceof Set) return [...member];
    if (ArrayBuffer.isView(member)) return Array.from(member as unknown as ArrayLike<number>);
    return member;
  });
  return Buffer.byteLength(text ?? 'null');
}

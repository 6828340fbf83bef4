import type { Serializer } from './serializer.js';

const TAG = '$ck';

type Tagged = { [TAG]: string; v?: unknown };

function encodeBytes(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function replacer(this: Record<string, unknown>, key: string, value: unknown): unknown {
  // JSON.stringify has already applied Date#toJSON to `value`: read the original from the holder.
  const original = this[key];
  if (original instanceof Date) {
    return { [TAG]: 'Date', v: Number.isNaN(original.getTime()) ? null : original.toISOString() };
  }
  switch (typeof original) {
    case 'bigint':
      return { [TAG]: 'BigInt', v: original.toString() };
    case 'undefined':
      return { [TAG]: 'undefined' };
    case 'function':
    case 'symbol':
      throw new TypeError(
        `the lossless codec cannot encode a ${typeof original} (at key "${key}")`,
      );
    default:
      break;
  }
  if (original instanceof Map) return { [TAG]: 'Map', v: [...original.entries()] };
  if (original instanceof Set) return { [TAG]: 'Set', v: [...original.values()] };
  if (original instanceof Uint8Array) return { [TAG]: 'Uint8Array', v: encodeBytes(original) };
  if (typeof value === 'number' && (!Number.isFinite(value) || Object.is(value, -0))) {
    return { [TAG]: 'Number', v: Object.is(value, -0) ? '-0' : String(value) };
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.hasOwn(value, TAG)
  ) {
    // A plain object that happens to use our marker key: wrap it so it decodes as itself.
    return { [TAG]: 'Object', v: Object.entries(value) };
  }
  return value;
}

/** Stands for `undefined` while reviving (a reviver cannot return undefined without deleting). */
const UNDEFINED: unique symbol = Symbol('undefined');

/** Replaces every {@link UNDEFINED} marker with `undefined`, keeping object keys and array slots. */
function restoreUndefined(value: unknown): unknown {
  if (value === UNDEFINED) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = restoreUndefined(value[i]);
  } else if (value instanceof Map) {
    const entries = [...value.entries()].map(
      ([k, v]) => [restoreUndefined(k), restoreUndefined(v)] as const,
    );
    value.clear();
    for (const [k, v] of entries) value.set(k, v);
  } else if (value instanceof Set) {
    const items = [...value].map(restoreUndefined);
    value.clear();
    for (const item of items) value.add(item);
  } else if (
    value !== null &&
    typeof value === 'object' &&
    !(value instanceof Date) &&
    !(value instanceof Uint8Array)
  ) {
    for (const key of Object.keys(value)) {
      (value as Record<string, unknown>)[key] = restoreUndefined(
        (value as Record<string, unknown>)[key],
      );
    }
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !Object.hasOwn(value, TAG)) return value;
  const tagged = value as Tagged;
  switch (tagged[TAG]) {
    case 'Date':
      return tagged.v === null ? new Date(Number.NaN) : new Date(tagged.v as string);
    case 'BigInt':
      return BigInt(tagged.v as string);
    case 'undefined':
      // A reviver returning undefined would delete the property: mark it, restore it afterwards.
      return UNDEFINED;
    case 'Map':
      return new Map(tagged.v as Array<[unknown, unknown]>);
    case 'Set':
      return new Set(tagged.v as unknown[]);
    case 'Uint8Array':
      return new Uint8Array(Buffer.from(tagged.v as string, 'base64'));
    case 'Number':
      return Number(tagged.v);
    case 'Object':
      return Object.fromEntries(tagged.v as Array<[string, unknown]>);
    default:
      throw new TypeError(`unknown lossless tag ${JSON.stringify(tagged[TAG])}`);
  }
}

/**
 * A JSON-based codec that round-trips Date, BigInt, Map, Set, Uint8Array, `undefined`, NaN and
 * ±Infinity. Functions and symbols are refused; cycles are refused.
 *
 * Note: `undefined` inside an object is kept (`{ a: undefined }` round-trips); a top-level
 * `undefined` is never cached by the cache itself.
 */
export const losslessSerializer: Serializer = Object.freeze({
  name: 'lossless',
  serialize(value: unknown): string {
    return JSON.stringify({ v: value }, replacer);
  },
  deserialize(text: string): unknown {
    const parsed = JSON.parse(text, reviver) as { v?: unknown } | null;
    if (parsed === null || typeof parsed !== 'object') {
      throw new TypeError('lossless payload is not an envelope object');
    }
    return text.includes('"undefined"') ? restoreUndefined(parsed.v) : parsed.v;
  },
});

import type { Serializer } from './serializer.js';

/**
 * Plain JSON, the default. Refuses what `JSON.stringify` cannot encode (BigInt, cycles) and top-level
 * values it would silently drop (`undefined`, functions, symbols). Like JSON itself, it turns Dates
 * into ISO strings; use {@link losslessSerializer} to keep Date, BigInt, Map, Set and Uint8Array.
 */
export const jsonSerializer: Serializer = Object.freeze({
  name: 'json',
  serialize(value: unknown): string {
    const text = JSON.stringify(value);
    if (text === undefined) {
      throw new TypeError(`JSON cannot encode a top-level ${typeof value}`);
    }
    return text;
  },
  deserialize(text: string): unknown {
    return JSON.parse(text);
  },
});

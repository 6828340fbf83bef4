import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonSerializer, losslessSerializer } from '../src/index.js';

describe('jsonSerializer', () => {
  it('round-trips plain data', () => {
    const value = { a: 1, b: ['x', null, true], c: { d: 'é🙂' } };
    expect(jsonSerializer.deserialize(jsonSerializer.serialize(value))).toEqual(value);
  });

  it('refuses BigInt, cycles and top-level values JSON would drop', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [10n, { n: 1n }, cyclic, undefined, () => 1, Symbol('s')]) {
      expect(() => jsonSerializer.serialize(bad)).toThrow();
    }
  });
});

describe('losslessSerializer', () => {
  it('round-trips Date, BigInt, Map, Set, Uint8Array, undefined, NaN and Infinity', () => {
    const value = {
      at: new Date('2026-11-29T12:00:00.000Z'),
      invalid: new Date(Number.NaN),
      big: 123456789012345678901234567890n,
      map: new Map<unknown, unknown>([
        ['k', new Set([1, 2])],
        [1, new Date(0)],
      ]),
      bytes: new Uint8Array([0, 1, 254, 255]),
      nothing: undefined,
      list: [undefined, Number.NaN, Number.POSITIVE_INFINITY, -0],
      $ck: 'user data that looks like our marker',
    };
    const decoded = losslessSerializer.deserialize(
      losslessSerializer.serialize(value),
    ) as typeof value;
    expect(decoded.at).toEqual(value.at);
    expect(Number.isNaN(decoded.invalid.getTime())).toBe(true);
    expect(decoded.big).toBe(value.big);
    expect(decoded.map).toEqual(value.map);
    expect(decoded.bytes).toEqual(value.bytes);
    expect(Object.hasOwn(decoded, 'nothing')).toBe(true);
    expect(decoded.list[0]).toBeUndefined();
    expect(decoded.list[1]).toBeNaN();
    expect(decoded.list[2]).toBe(Number.POSITIVE_INFINITY);
    expect(decoded.$ck).toBe(value.$ck);
  });

  it('round-trips arbitrary values (property)', () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withDate: true,
          withMap: true,
          withSet: true,
          withTypedArray: false,
          withNullPrototype: false,
          withBoxedValues: false,
          withSparseArray: false,
        }),
        (value) => {
          expect(losslessSerializer.deserialize(losslessSerializer.serialize(value))).toEqual(
            value,
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps undefined object properties and array slots', () => {
    const value = {
      a: undefined,
      list: [undefined, 1],
      map: new Map([['k', undefined]]),
      set: new Set([undefined]),
    };
    const decoded = losslessSerializer.deserialize(
      losslessSerializer.serialize(value),
    ) as typeof value;
    expect(Object.keys(decoded)).toEqual(['a', 'list', 'map', 'set']);
    expect(Object.hasOwn(decoded, 'a')).toBe(true);
    expect(decoded.list).toHaveLength(2);
    expect(0 in decoded.list).toBe(true);
    expect(decoded.map.has('k')).toBe(true);
    expect(decoded.set.has(undefined)).toBe(true);
    expect(losslessSerializer.deserialize(losslessSerializer.serialize(undefined))).toBeUndefined();
  });

  it('refuses functions, symbols and cycles', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    for (const bad of [{ f: () => 1 }, { s: Symbol('x') }, cyclic]) {
      expect(() => losslessSerializer.serialize(bad)).toThrow();
    }
  });
});

import { describe, expect, it } from 'vitest';
import {
  definePolicy,
  EPHEMERAL,
  EVENT_DRIVEN,
  errors,
  InvalidPolicyError,
  InvalidTtlError,
  MODERATE,
  NO_CACHE,
  STABLE,
  toMilliseconds,
} from '../src/index.js';

describe('toMilliseconds', () => {
  it.each([
    [1500, 1500],
    ['500ms', 500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5s', 1500],
    ['2 m', 120_000],
    [0.4, 1],
  ])('reads %j as %d ms', (input, expected) => {
    expect(toMilliseconds(input)).toBe(expected);
  });

  it.each([
    0,
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    '0s',
    '-5s',
    'abc',
    '10x',
    '',
    null,
    undefined,
    {},
  ])('refuses %j with E_INVALID_TTL', (input) => {
    let thrown: unknown;
    try {
      toMilliseconds(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidTtlError);
    expect(thrown).toBeInstanceOf(errors.CacheError);
    expect((thrown as InvalidTtlError).code).toBe('E_INVALID_TTL');
    expect((thrown as Error).message).toMatch(/ttl/);
  });
});

describe('policies', () => {
  it('classify data with finite TTLs in their ranges', () => {
    expect(EPHEMERAL.ttl).toBeGreaterThanOrEqual(5_000);
    expect(EPHEMERAL.ttl).toBeLessThanOrEqual(30_000);
    expect(MODERATE.ttl).toBeGreaterThanOrEqual(60_000);
    expect(MODERATE.ttl).toBeLessThanOrEqual(300_000);
    expect(STABLE.ttl).toBeGreaterThanOrEqual(600_000);
    expect(STABLE.ttl).toBeLessThanOrEqual(3_600_000);
    expect(NO_CACHE.kind).toBe('no-cache');
    expect(Object.isFrozen(EPHEMERAL)).toBe(true);
  });

  it('derive with a readable TTL and validated events', () => {
    const config = definePolicy(EVENT_DRIVEN, {
      ttl: '5m',
      invalidateOn: ['miner.config.updated'],
    });
    expect(config).toEqual({
      kind: 'event-driven',
      ttl: 300_000,
      invalidateOn: ['miner.config.updated'],
    });
    expect(definePolicy(EPHEMERAL, { ttl: '20s' }).ttl).toBe(20_000);
  });

  it.each([0, -5, Number.NaN, Number.POSITIVE_INFINITY])('refuse ttl %s', (ttl) => {
    expect(() => definePolicy(STABLE, { ttl })).toThrow(InvalidTtlError);
  });

  it('refuse bad event names, events on non-event-driven policies, and NO_CACHE overrides', () => {
    for (const name of ['', 'has space', 'a..b', '*', 'miner.*', 'x:y']) {
      expect(() => definePolicy(EVENT_DRIVEN, { invalidateOn: [name] })).toThrow(
        InvalidPolicyError,
      );
    }
    expect(() => definePolicy(MODERATE, { invalidateOn: ['a.b'] })).toThrow(/EVENT_DRIVEN/);
    expect(() => definePolicy(NO_CACHE, { ttl: '1s' })).toThrow(InvalidPolicyError);
  });
});

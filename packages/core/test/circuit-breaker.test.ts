import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CacheError, InvalidOptionError } from '../src/errors.js';
import {
  CircuitBreaker,
  type CircuitBreakerOptions,
  type CircuitState,
} from '../src/resilience/circuit-breaker.js';

/** A breaker on a manual clock, with every transition recorded. */
function setup(options: Omit<CircuitBreakerOptions, 'now'> = {}) {
  let time = 1_000_000;
  const now = vi.fn(() => time);
  const breaker = new CircuitBreaker({
    consecutiveFailures: Number.MAX_SAFE_INTEGER,
    ...options,
    now,
  });
  const transitions: string[] = [];
  breaker.onStateChange((state, previous) => transitions.push(`${previous}->${state}`));
  return {
    breaker,
    now,
    transitions,
    advance(ms: number): void {
      time += ms;
    },
  };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) breaker.failure();
}

function succeed(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i++) breaker.success();
}

/** What the store runner will do: ask, call, report. */
function guarded<T>(breaker: CircuitBreaker, call: () => Promise<T>): Promise<T | 'refused'> {
  if (!breaker.allow()) return Promise.resolve('refused');
  return call().then(
    (value) => {
      breaker.success();
      return value;
    },
    (error: unknown) => {
      breaker.failure();
      throw error;
    },
  );
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('closed', () => {
  it('allows every call without reading the clock', () => {
    const { breaker, now } = setup();
    for (let i = 0; i < 1000; i++) expect(breaker.allow()).toBe(true);
    expect(now).not.toHaveBeenCalled();
    expect(breaker.state).toBe('closed');
  });

  it('stays closed below minimumCalls, even when every call fails', () => {
    const { breaker, transitions } = setup({ minimumCalls: 10 });
    fail(breaker, 9);
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual([]);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(transitions).toEqual(['closed->open']);
  });

  it('opens when the failure rate over the window reaches failureRate', () => {
    const { breaker } = setup({ failureRate: 0.5, minimumCalls: 10 });
    succeed(breaker, 6);
    fail(breaker, 4);
    expect(breaker.state).toBe('closed'); // 4 / 10
    breaker.failure();
    expect(breaker.state).toBe('closed'); // 5 / 11 < 0.5
    breaker.failure();
    expect(breaker.state).toBe('open'); // 6 / 12
  });

  it('with failureRate 1 opens only when every call in the window failed', () => {
    const { breaker } = setup({ failureRate: 1, minimumCalls: 3 });
    breaker.success();
    fail(breaker, 50);
    expect(breaker.state).toBe('closed');
    const fresh = setup({ failureRate: 1, minimumCalls: 3 }).breaker;
    fail(fresh, 3);
    expect(fresh.state).toBe('open');
  });

  it('forgets failures that fall out of the rolling window', () => {
    const { breaker, advance } = setup({ minimumCalls: 10, window: 10_000 });
    fail(breaker, 9);
    advance(10_000);
    breaker.failure();
    expect(breaker.state).toBe('closed'); // only 1 call left in the window
    fail(breaker, 8);
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
  });

  it('still counts failures from earlier in the window', () => {
    const { breaker, advance } = setup({ minimumCalls: 10, window: '10s' });
    fail(breaker, 5);
    advance(5_000);
    succeed(breaker, 4);
    advance(3_000);
    expect(breaker.state).toBe('closed');
    breaker.failure(); // 6 failures / 10 calls, all within 8 s
    expect(breaker.state).toBe('open');
  });

  it('lets successes age out too, so a recent burst of failures opens it', () => {
    const { breaker, advance } = setup({ minimumCalls: 4, window: 1_000 });
    succeed(breaker, 100);
    advance(1_000);
    fail(breaker, 4);
    expect(breaker.state).toBe('open');
  });
});

describe('open', () => {
  it('refuses every call with one clock read and no store call', async () => {
    const { breaker, now } = setup({ minimumCalls: 2 });
    fail(breaker, 2);
    const store = vi.fn(async () => 'value');
    now.mockClear();
    const results = await Promise.all(Array.from({ length: 100 }, () => guarded(breaker, store)));
    expect(results.every((result) => result === 'refused')).toBe(true);
    expect(store).not.toHaveBeenCalled();
    expect(now).toHaveBeenCalledTimes(100);
  });

  it('ignores reports that arrive while open (calls let through before it opened)', () => {
    const { breaker, advance, transitions } = setup({ minimumCalls: 2, openFor: 1_000 });
    fail(breaker, 2);
    advance(500);
    succeed(breaker, 5);
    fail(breaker, 5);
    expect(breaker.state).toBe('open');
    advance(500); // openFor counts from the opening, not from the late failures
    expect(breaker.state).toBe('half-open');
    expect(transitions).toEqual(['closed->open', 'open->half-open']);
  });

  it('turns half-open once openFor has passed, without any timer', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const breaker = new CircuitBreaker({
      consecutiveFailures: Number.MAX_SAFE_INTEGER,
      minimumCalls: 1,
      openFor: '1s',
    });
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(999);
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('follows fake timers installed after it was built (the default clock is read per call)', () => {
    const breaker = new CircuitBreaker({
      consecutiveFailures: Number.MAX_SAFE_INTEGER,
      minimumCalls: 1,
      openFor: 1_000,
    });
    vi.useFakeTimers();
    breaker.failure();
    vi.advanceTimersByTime(1_000);
    expect(breaker.allow()).toBe(true);
  });

  it('does not wedge when the clock goes back', () => {
    const { breaker, advance } = setup({ minimumCalls: 1, openFor: 1_000 });
    breaker.failure();
    advance(-3_600_000);
    expect(breaker.allow()).toBe(false);
    advance(999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
  });
});

describe('half-open', () => {
  it('lets exactly one of 100 concurrent callers through as the probe', async () => {
    const { breaker, advance } = setup({ minimumCalls: 1, openFor: 1_000 });
    breaker.failure();
    advance(1_000);
    let release = (): void => {};
    const store = vi.fn(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('value');
        }),
    );
    const calls = Array.from({ length: 100 }, () => guarded(breaker, store));
    expect(store).toHaveBeenCalledTimes(1);
    expect(breaker.state).toBe('half-open');
    release();
    const results = await Promise.all(calls);
    expect(results.filter((result) => result === 'value')).toHaveLength(1);
    expect(results.filter((result) => result === 'refused')).toHaveLength(99);
    expect(breaker.state).toBe('closed');
  });

  it('closes on probe success, with an empty window', () => {
    const { breaker, advance, transitions } = setup({ minimumCalls: 5, openFor: 1_000 });
    fail(breaker, 5);
    advance(1_000);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    fail(breaker, 4); // the 5 old failures are gone: 4 < minimumCalls
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('re-opens for openFor on probe failure, then probes again', () => {
    const { breaker, advance, transitions } = setup({ minimumCalls: 1, openFor: 1_000 });
    breaker.failure();
    advance(1_000);
    expect(breaker.allow()).toBe(true);
    advance(10);
    breaker.failure();
    expect(breaker.state).toBe('open');
    advance(999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    expect(transitions).toEqual([
      'closed->open',
      'open->half-open',
      'half-open->open',
      'open->half-open',
    ]);
  });

  it('recovers from a probe that never reports: after openFor the next caller probes', () => {
    const { breaker, advance } = setup({ minimumCalls: 1, openFor: 1_000 });
    breaker.failure();
    advance(1_000);
    expect(breaker.allow()).toBe(true); // this probe's caller gives up and never reports
    advance(999);
    expect(breaker.allow()).toBe(false);
    advance(1);
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.success();
    expect(breaker.state).toBe('closed');
  });

  it('ignores a late failure while no probe is out, but closes on any success', () => {
    const { breaker, advance } = setup({ minimumCalls: 1, openFor: 1_000 });
    breaker.failure();
    advance(1_000);
    breaker.failure(); // a call from before the opening timing out now
    expect(breaker.state).toBe('half-open');
    breaker.success(); // the store answered: evidence enough
    expect(breaker.state).toBe('closed');
  });
});

describe('state listeners', () => {
  it('fire once per transition, and not for repeated reads or refused calls', () => {
    const { breaker, advance, transitions } = setup({ minimumCalls: 1, openFor: 100 });
    breaker.failure();
    fail(breaker, 3);
    for (let i = 0; i < 10; i++) breaker.allow();
    advance(100);
    for (let i = 0; i < 10; i++) expect(breaker.state).toBe('half-open');
    for (let i = 0; i < 10; i++) breaker.allow();
    breaker.success();
    breaker.success();
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('stop after unsubscribing (twice is harmless)', () => {
    const breaker = new CircuitBreaker({
      consecutiveFailures: Number.MAX_SAFE_INTEGER,
      minimumCalls: 1,
    });
    const listener = vi.fn();
    const unsubscribe = breaker.onStateChange(listener);
    unsubscribe();
    unsubscribe();
    breaker.failure();
    expect(listener).not.toHaveBeenCalled();
  });

  it('isolate a listener that throws: the others run and the breaker keeps working', () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    const { breaker, advance, transitions } = setup({ minimumCalls: 1, openFor: 100 });
    breaker.onStateChange(() => {
      throw new Error('listener bug');
    });
    const after = vi.fn();
    breaker.onStateChange(after);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    advance(100);
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(after).toHaveBeenCalledTimes(3);
    expect(transitions).toHaveLength(3);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('listener bug'), {
      code: 'CACHEKIT_LISTENER_ERROR',
    });
  });
});

describe('options', () => {
  it('defaults to 0.5 over 10 calls in 10 s, open for 1 s', () => {
    const breaker = new CircuitBreaker();
    expect([breaker.failureRate, breaker.minimumCalls, breaker.window, breaker.openFor]).toEqual([
      0.5, 10, 10_000, 1_000,
    ]);
    expect(breaker.state).toBe('closed');
  });

  it('reads durations as numbers or strings', () => {
    const breaker = new CircuitBreaker({ window: '30s', openFor: '250ms' });
    expect([breaker.window, breaker.openFor]).toEqual([30_000, 250]);
  });

  it.each<[string, unknown]>([
    ['failureRate', 0],
    ['failureRate', -0.1],
    ['failureRate', 1.5],
    ['failureRate', Number.NaN],
    ['failureRate', '0.5'],
    ['minimumCalls', 0],
    ['minimumCalls', -1],
    ['minimumCalls', 1.5],
    ['minimumCalls', Number.POSITIVE_INFINITY],
    ['minimumCalls', '10'],
    ['window', 0],
    ['window', -1],
    ['window', 'soon'],
    ['window', Number.POSITIVE_INFINITY],
    ['openFor', 0],
    ['openFor', '-1s'],
    ['openFor', {}],
    ['now', 'Date.now'],
  ])('refuses %s = %j with E_INVALID_OPTION naming it', (name, value) => {
    let thrown: unknown;
    try {
      new CircuitBreaker({ [name]: value } as CircuitBreakerOptions);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError);
    expect(thrown).toBeInstanceOf(CacheError);
    expect((thrown as InvalidOptionError).code).toBe('E_INVALID_OPTION');
    expect((thrown as Error).message).toContain(name);
  });

  it('keeps the duration error as the cause', () => {
    const thrown = (() => {
      try {
        new CircuitBreaker({ openFor: 'soon' as never });
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect((thrown as Error).cause).toMatchObject({ code: 'E_INVALID_TTL' });
  });

  it('refuses a non-object options argument and a non-function listener', () => {
    expect(() => new CircuitBreaker(null as never)).toThrow(InvalidOptionError);
    expect(() => new CircuitBreaker(5 as never)).toThrow(InvalidOptionError);
    expect(() => new CircuitBreaker().onStateChange('x' as never)).toThrow(InvalidOptionError);
  });
});

type Step =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'success' | 'failure' | 'allow' | 'state' };

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance'), ms: fc.nat(60) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance'), ms: fc.nat(700) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'success' } as const) },
  { weight: 3, arbitrary: fc.constant({ kind: 'failure' } as const) },
  { weight: 3, arbitrary: fc.constant({ kind: 'allow' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'state' } as const) },
);

describe('state machine (property)', () => {
  it('never lets two probes through in one half-open period, and never opens below minimumCalls', () => {
    const coverage = { runs: 0, opened: 0, refusedSecondProbes: 0, lostProbes: 0, lateFailures: 0 };
    const settings = fc.record({
      failureRate: fc.integer({ min: 1, max: 20 }).map((n) => n / 20),
      minimumCalls: fc.integer({ min: 1, max: 12 }),
      bucket: fc.integer({ min: 1, max: 100 }),
      openFor: fc.integer({ min: 1, max: 500 }),
    });
    fc.assert(
      fc.property(
        settings,
        fc.array(stepArbitrary, { maxLength: 300, size: 'max' }),
        (config, steps) => {
          const { failureRate, minimumCalls, bucket, openFor } = config;
          const window = bucket * 10;
          let time = 0;
          const breaker = new CircuitBreaker({
            consecutiveFailures: Number.MAX_SAFE_INTEGER,
            failureRate,
            minimumCalls,
            window,
            openFor,
            now: () => time,
          });
          // The model: state, when it opened, the probe out in this half-open period, reports since closing.
          let state = 'closed' as CircuitState; // widened: the listener assigns it
          let openedAt = 0;
          let probeAt: number | undefined;
          let reports: Array<{ at: number; failed: boolean }> = [];
          breaker.onStateChange((next, previous) => {
            expect(previous).toBe(state); // once per transition, in order
            expect(next).not.toBe(previous);
            state = next;
            probeAt = undefined;
            if (next === 'open') openedAt = time;
            if (next === 'closed') reports = [];
          });
          const due = (): boolean => time - openedAt >= openFor;
          coverage.runs += 1;

          for (const step of steps) {
            switch (step.kind) {
              case 'advance':
                time += step.ms;
                break;
              case 'state': {
                const expected = state === 'open' && due() ? 'half-open' : state;
                expect(breaker.state).toBe(expected);
                break;
              }
              case 'allow': {
                const expected =
                  state === 'closed' ||
                  (state === 'open' && due()) ||
                  (state === 'half-open' && (probeAt === undefined || time - probeAt >= openFor));
                if (state === 'half-open' && probeAt !== undefined) {
                  coverage[expected ? 'lostProbes' : 'refusedSecondProbes'] += 1;
                }
                const allowed = breaker.allow();
                expect(allowed).toBe(expected);
                if (allowed && state !== 'closed') {
                  expect(state).toBe('half-open');
                  // The property itself: a second probe in one period only once the first is lost.
                  if (probeAt !== undefined) expect(time - probeAt).toBeGreaterThanOrEqual(openFor);
                  probeAt = time;
                }
                break;
              }
              case 'success':
              case 'failure': {
                const failed = step.kind === 'failure';
                const before = state;
                const probing = state === 'half-open' && probeAt !== undefined;
                if (before === 'closed') reports.push({ at: time, failed });
                if (failed) breaker.failure();
                else breaker.success();
                if (before === 'closed') {
                  const head = Math.floor(time / bucket);
                  const counted = reports.filter((r) => Math.floor(r.at / bucket) > head - 10);
                  const failures = counted.filter((r) => r.failed).length;
                  const shouldOpen =
                    failed &&
                    counted.length >= minimumCalls &&
                    failures / counted.length >= failureRate;
                  expect(state).toBe(shouldOpen ? 'open' : 'closed');
                  if (shouldOpen) {
                    coverage.opened += 1;
                    const inWindow = reports.filter((r) => r.at > time - window).length;
                    expect(inWindow).toBeGreaterThanOrEqual(minimumCalls);
                  }
                } else if (before === 'half-open' || due()) {
                  if (!failed) expect(state).toBe('closed');
                  else expect(state).toBe(probing ? 'open' : 'half-open');
                  if (failed && !probing) coverage.lateFailures += 1;
                } else {
                  expect(state).toBe('open'); // late reports while open change nothing
                }
                break;
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    // The runs must reach the interesting corners, or the property proves nothing.
    expect(coverage.opened).toBeGreaterThan(100);
    expect(coverage.refusedSecondProbes).toBeGreaterThan(100);
    expect(coverage.lostProbes).toBeGreaterThan(10);
    expect(coverage.lateFailures).toBeGreaterThan(10);
  });
});

describe('consecutive failures', () => {
  it('open the circuit after a long history of successes, without waiting for the rate', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ consecutiveFailures: 5, now: () => now });
    for (let i = 0; i < 10_000; i++) breaker.success();
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.success(); // a success ends the streak
    for (let i = 0; i < 4; i++) breaker.failure();
    expect(breaker.state).toBe('closed');
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    now += breaker.openFor;
    expect(breaker.allow()).toBe(true);
  });
});

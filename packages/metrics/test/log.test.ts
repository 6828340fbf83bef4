import { createCache } from '@cachekit/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cacheMetrics, LOG_MESSAGE } from '../src/index.js';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function recordingLogger() {
  const lines: Array<{ obj: Record<string, unknown>; msg: string }> = [];
  return {
    lines,
    logger: {
      info(obj: object, msg: string) {
        lines.push({ obj: obj as Record<string, unknown>, msg });
      },
    },
  };
}

describe('periodic log line', () => {
  it('logs a summary every interval until close() (fake timers)', async () => {
    vi.useFakeTimers();
    const cache = createCache({ namespace: 'fleet', l1: true });
    const { lines, logger } = recordingLogger();
    const metrics = cacheMetrics(cache, { log: { logger, interval: '5s' } });
    await cache.getOrSet('a', async () => 1);
    await cache.getOrSet('a', async () => 1);
    vi.advanceTimersByTime(4_999);
    expect(lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe(LOG_MESSAGE);
    expect(lines[0]?.obj).toMatchObject({
      cachekit: {
        hits: 1,
        l1Hits: 1,
        misses: 1,
        hitRatio: 0.5,
        loads: 1,
        circuit: 'closed',
        namespaces: { fleet: { hits: 1, misses: 1, hitRatio: 0.5, errors: 0 } },
      },
    });
    await cache.get('b');
    vi.advanceTimersByTime(5_000);
    expect(lines).toHaveLength(2);
    expect(lines[1]?.obj).toMatchObject({ cachekit: { misses: 2 } });
    metrics.close();
    vi.advanceTimersByTime(60_000);
    expect(lines).toHaveLength(2);
  });

  it("defaults to '60s'", () => {
    vi.useFakeTimers();
    const { lines, logger } = recordingLogger();
    const metrics = cacheMetrics(createCache(), { log: { logger } });
    vi.advanceTimersByTime(59_999);
    expect(lines).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(lines).toHaveLength(1);
    metrics.close();
  });

  it('does not keep the process alive', () => {
    const setInterval = vi.spyOn(globalThis, 'setInterval');
    const metrics = cacheMetrics(createCache(), { log: { logger: { info() {} } } });
    try {
      expect(setInterval).toHaveBeenCalledTimes(1);
      const timer = setInterval.mock.results[0]?.value as NodeJS.Timeout;
      expect(timer.hasRef()).toBe(false);
    } finally {
      metrics.close();
    }
  });

  it('survives a logger that throws, reporting a warning', () => {
    vi.useFakeTimers();
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    let calls = 0;
    const metrics = cacheMetrics(createCache(), {
      log: {
        logger: {
          info() {
            calls++;
            throw new Error('log sink down');
          },
        },
        interval: '1s',
      },
    });
    vi.advanceTimersByTime(3_000);
    expect(calls).toBe(3);
    expect(warn).toHaveBeenCalledTimes(3);
    expect(String(warn.mock.calls[0]?.[0])).toContain('log sink down');
    metrics.close();
  });
});

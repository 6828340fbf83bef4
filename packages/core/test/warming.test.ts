import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCache, InvalidOptionError, InvalidTtlError, type WarmReport } from '../src/index.js';

/** Lets pending promise work run without moving the fake clock (vi.waitFor would move it). */
async function settle(until: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !until(); i++) await vi.advanceTimersByTimeAsync(0);
  expect(until()).toBe(true);
}

describe('periodic warming', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('warms the current ids every period with bounded concurrency, reporting progress, until stopped', async () => {
    const cache = createCache();
    let fleet = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5'];
    let running = 0;
    let maxRunning = 0;
    let version = 0;
    const status = cache.define<string, string>({
      load: async (id) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await Promise.resolve();
        running--;
        return `${id}@${version}`;
      },
    });
    const cycles: WarmReport<string>[] = [];
    let progress = 0;
    const warming = status.startWarming({
      ids: () => fleet,
      every: '30s',
      concurrency: 2,
      onProgress: () => progress++,
      onCycle: (report) => cycles.push(report),
    });
    await settle(() => cycles.length === 1);
    expect(await status.peek('m-1')).toBe('m-1@0');
    expect(maxRunning).toBe(2);
    version = 1;
    fleet = ['m-1', 'm-6'];
    await vi.advanceTimersByTimeAsync(29_999);
    expect(cycles).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await settle(() => cycles.length === 2);
    expect(cycles[1]?.total).toBe(2);
    expect(await status.peek('m-6')).toBe('m-6@1');
    expect(progress).toBe(7);
    await warming.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(120_000);
    expect(cycles).toHaveLength(2);
    expect(warming.cycles).toBe(2);
  });

  it('stop() cancels a cycle in flight: no new load starts, and it resolves once the running ones end', async () => {
    const cache = createCache();
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const def = cache.define<string, string>({
      load: async (id) => {
        started.push(id);
        await gate;
        return id;
      },
    });
    const warming = def.startWarming({
      ids: () => ['a', 'b', 'c', 'd'],
      every: '1m',
      concurrency: 1,
    });
    await vi.waitFor(() => expect(started).toEqual(['a']));
    const stopping = warming.stop();
    release();
    await stopping;
    expect(started).toEqual(['a']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('survives a failing ids() and refuses bad options', async () => {
    const cache = createCache();
    const def = cache.define<string, string>({ load: async (id) => id });
    const errors: unknown[] = [];
    let calls = 0;
    const warming = def.startWarming({
      ids: () => {
        calls++;
        if (calls === 1) throw new Error('fleet list unavailable');
        return ['x'];
      },
      every: '10s',
      onError: (error) => errors.push(error),
    });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    await vi.advanceTimersByTimeAsync(10_000);
    await vi.waitFor(() => expect(warming.cycles).toBe(1));
    await warming.stop();
    expect(() => def.startWarming({ ids: () => [], every: 0 })).toThrow(InvalidTtlError);
    expect(() => def.startWarming({} as never)).toThrow(InvalidOptionError);
  });
});

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ErrorEvent } from '@cachekit/core';
import type { Redis } from 'ioredis';

/** Most calls a load records (columns preallocated, so that recording adds nothing to the heap). */
const CAPACITY = 400_000;

/** The calls a load made, as columns: call `i` started at `start[i]` and settled at `end[i]`. */
export interface Calls {
  readonly start: Float64Array;
  readonly end: Float64Array;
  readonly loop: Uint8Array;
  readonly key: Int32Array;
  /** Calls recorded (at most the capacity). */
  readonly length: number;
  /** Calls made beyond the capacity, settled but not recorded. */
  readonly dropped: number;
}

/** Load loops running until {@link Load.stop}. */
export interface Load {
  readonly calls: Calls;
  /** Calls that rejected: the caller saw an error. */
  readonly failures: Array<{ key: number; error: unknown }>;
  /** Calls that resolved to a value `check` refused. */
  readonly wrong: Array<{ key: number; value: unknown }>;
  /** Calls settled so far. */
  count(): number;
  /** Asks every loop to finish its current call, then resolves. */
  stop(): Promise<void>;
}

/**
 * Starts `loops` concurrent loops, each calling `call(loop, key)` on random keys of `0..keys-1`,
 * checking each value with `check` and recording each call's times. Each iteration yields to the
 * event loop, so that calls answered synchronously (L1 hits) cannot starve the cache's timers.
 */
export function startLoad(
  loops: number,
  keys: number,
  call: (loop: number, key: number) => Promise<unknown>,
  check: (value: unknown, key: number) => boolean,
): Load {
  const calls = {
    start: new Float64Array(CAPACITY),
    end: new Float64Array(CAPACITY),
    loop: new Uint8Array(CAPACITY),
    key: new Int32Array(CAPACITY),
    length: 0,
    dropped: 0,
  };
  const failures: Array<{ key: number; error: unknown }> = [];
  const wrong: Array<{ key: number; value: unknown }> = [];
  const record = (loop: number, key: number, start: number): void => {
    const i = calls.length;
    if (i === CAPACITY) {
      calls.dropped++;
      return;
    }
    calls.start[i] = start;
    calls.end[i] = performance.now();
    calls.loop[i] = loop;
    calls.key[i] = key;
    calls.length = i + 1;
  };
  let running = true;
  const run = async (loop: number): Promise<void> => {
    while (running) {
      // Random keys: loops that walked the keys in step would join one flight and act as one.
      const key = Math.floor(Math.random() * keys);
      const start = performance.now();
      try {
        const value = await call(loop, key);
        record(loop, key, start);
        if (!check(value, key)) wrong.push({ key, value });
      } catch (error) {
        record(loop, key, start);
        failures.push({ key, error });
      }
      await yieldToEventLoop();
    }
  };
  const done = Promise.all(Array.from({ length: loops }, (_, i) => run(i)));
  return {
    calls,
    failures,
    wrong,
    count: () => calls.length + calls.dropped,
    async stop() {
      running = false;
      await done;
    },
  };
}

/** One recorded call. */
export interface Call {
  readonly start: number;
  readonly end: number;
  readonly loop: number;
  readonly key: number;
}

/** The recorded calls for which `keep` holds (objects are made only here, after the load). */
export function select(calls: Calls, keep: (call: Call) => boolean): Call[] {
  const out: Call[] = [];
  for (let i = 0; i < calls.length; i++) {
    const call: Call = {
      start: calls.start[i] as number,
      end: calls.end[i] as number,
      loop: calls.loop[i] as number,
      key: calls.key[i] as number,
    };
    if (keep(call)) out.push(call);
  }
  return out;
}

/** Counts cache error events by code (without keeping the events). */
export function countErrors(counts: Map<string, number>): (event: ErrorEvent) => void {
  return (event) => counts.set(event.error.code, (counts.get(event.error.code) ?? 0) + 1);
}

/** The `p`-th percentile (0-100, nearest rank) of a non-empty list. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** `n=.. p50=.. p90=.. p99=.. max=..` of durations in ms, for the report. */
export function distribution(values: readonly number[]): string {
  if (values.length === 0) return 'n=0';
  const f = (p: number): string => percentile(values, p).toFixed(1);
  return `n=${values.length} p50=${f(50)} p90=${f(90)} p99=${f(99)} max=${f(100)} ms`;
}

/** Counts `unhandledRejection` events on the process until the returned function is called. */
export function watchUnhandledRejections(): { readonly reasons: unknown[]; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (reason: unknown): void => {
    reasons.push(reason);
  };
  process.on('unhandledRejection', listener);
  return { reasons, stop: () => process.off('unhandledRejection', listener) };
}

/** The V8 `gc()` function, exposed at run time. */
export function exposeGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

/** Commands waiting in an ioredis client: its offline queue (while not connected) and sent ones. */
export function queuedCommands(client: Redis): { offline: number; sent: number } {
  const offline = (client as unknown as { offlineQueue?: { length: number } }).offlineQueue;
  return { offline: offline?.length ?? 0, sent: client.commandQueue.length };
}

/** A value a loader returns, telling which key it is for and when it was made. */
export interface Tagged {
  readonly k: number;
  readonly source: 'warm' | 'loader';
  readonly at: number;
}

/** Whether `value` is a {@link Tagged} value for `key`. */
export function isTaggedFor(value: unknown, key: number): value is Tagged {
  const v = value as Partial<Tagged> | null | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.k === key &&
    (v.source === 'warm' || v.source === 'loader') &&
    typeof v.at === 'number'
  );
}

/** A loader for `key` that takes well under 1 ms but yields once, like an in-memory source. */
export async function fastLoad(key: number): Promise<Tagged> {
  await yieldToEventLoop();
  return { k: key, source: 'loader', at: Date.now() };
}

/** A gap in the event loop: from `at` (ms, `performance.now()`), `ms` long, `cpu` ms of it spent by this process. */
export interface Stall {
  readonly at: number;
  readonly ms: number;
  readonly cpu: number;
}

/**
 * Watches the event loop with a 2 ms timer and records every gap longer than `thresholdMs`, with
 * the CPU time this process used meanwhile: a gap without CPU is time the shared machine did not
 * run this process at all; a gap with CPU is work done here (GC, the cache, the test).
 */
export function watchStalls(thresholdMs = 12): {
  readonly stalls: Stall[];
  /** Time within [start, end] when the process did not run (gaps minus their CPU time). */
  descheduled(start: number, end: number): number;
  stop(): void;
} {
  const stalls: Stall[] = [];
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  const timer = setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage(lastCpu);
    if (now - last > thresholdMs) {
      stalls.push({ at: last, ms: now - last, cpu: (cpu.user + cpu.system) / 1000 });
    }
    last = now;
    lastCpu = process.cpuUsage();
  }, 2);
  return {
    stalls,
    descheduled(start, end) {
      let total = 0;
      for (const stall of stalls) {
        const overlap = Math.min(end, stall.at + stall.ms) - Math.max(start, stall.at);
        if (overlap > 0) total += overlap * Math.max(0, 1 - stall.cpu / stall.ms);
      }
      return total;
    },
    stop: () => clearInterval(timer),
  };
}

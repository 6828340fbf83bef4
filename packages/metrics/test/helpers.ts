import { memoryStore, type Store } from '@cachekit/core';

/** One sample of a Prometheus text exposition. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the Prometheus text format (what `registry.metrics()` returns) into samples. */
export function parseProm(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) throw new Error(`Not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key as string] = (value as string).replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The samples of `name` whose labels include `labels`. */
export function find(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): Sample[] {
  return samples.filter(
    (sample) =>
      sample.name === name &&
      Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
}

/** The value of the one sample of `name` with `labels`; throws if there is not exactly one. */
export function value(
  samples: readonly Sample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = find(samples, name, labels);
  if (found.length !== 1) {
    throw new Error(`Expected one ${name} ${JSON.stringify(labels)}, found ${found.length}`);
  }
  return (found[0] as Sample).value;
}

/**
 * A real memory store presented as a remote one (so that the cache puts its circuit breaker in
 * front of it) whose calls fail while `down` is true, as a stopped Redis would.
 */
export function switchableStore(): Store & { down: boolean } {
  const inner = memoryStore();
  const state = { down: false };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'down') return state.down;
      if (property === 'name') return 'switchable';
      if (property === 'capabilities') return { ...target.capabilities, local: false };
      const member = Reflect.get(target, property, receiver);
      if (typeof member !== 'function' || property === 'close') return member;
      return (...args: unknown[]) =>
        state.down
          ? Promise.reject(new Error('connection refused'))
          : (member as (...a: unknown[]) => unknown).apply(target, args);
    },
    set(_target, property, value) {
      if (property !== 'down') return false;
      state.down = value === true;
      return true;
    },
  });
  return store as Store & { down: boolean };
}

/**
 * A real memory store whose calls wait while `held` is true, as a slow store would: set `held`
 * back to false to let them through (in order).
 */
export function holdableStore(): Store & { held: boolean } {
  const inner = memoryStore();
  const waiting: Array<() => void> = [];
  const state = { held: false };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === 'held') return state.held;
      const member = Reflect.get(target, property, receiver);
      if (typeof member !== 'function' || property === 'close') return member;
      return (...args: unknown[]) => {
        const call = () => (member as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        if (!state.held) return call();
        return new Promise((resolve) => waiting.push(() => resolve(call())));
      };
    },
    set(_target, property, value) {
      if (property !== 'held') return false;
      state.held = value === true;
      if (!state.held) for (const resume of waiting.splice(0)) resume();
      return true;
    },
  });
  return store as Store & { held: boolean };
}

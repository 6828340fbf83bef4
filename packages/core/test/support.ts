import { memoryStore, type Store } from '../src/index.js';

/** How a {@link FaultyStore} answers. */
export type FaultMode = 'ok' | 'throw' | 'hang';

/**
 * A real memory store whose calls can be made to fail or hang, to test the cache's fail-open
 * paths in core. (Redis faults are tested on real redis-server processes in the driver packages.)
 */
export function faultyStore(): Store & { mode: FaultMode; calls: number } {
  const inner = memoryStore();
  const pending: Array<() => void> = [];
  const state = { mode: 'ok' as FaultMode, calls: 0 };
  const wrap =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      state.calls++;
      if (state.mode === 'throw') return Promise.reject(new Error('connection refused'));
      if (state.mode === 'hang')
        return new Promise<R>((resolve) => pending.push(() => resolve(fn(...args))));
      return fn(...args);
    };
  const store = {
    name: 'faulty',
    capabilities: { ...inner.capabilities, local: false },
    get: wrap(inner.get),
    getMany: wrap(inner.getMany),
    set: wrap(inner.set),
    setMany: wrap(inner.setMany),
    delete: wrap(inner.delete),
    deleteMatching: wrap(inner.deleteMatching),
    bumpGenerations: wrap(inner.bumpGenerations),
    setIfGenerations: wrap(inner.setIfGenerations),
    invalidate: wrap(inner.invalidate),
    replace: wrap(inner.replace),
    acquireLock: wrap(inner.acquireLock),
    releaseLock: wrap(inner.releaseLock),
    close: inner.close,
  };
  return Object.defineProperties(store, {
    mode: {
      get: () => state.mode,
      set: (mode: FaultMode) => {
        state.mode = mode;
        if (mode !== 'hang') for (const resume of pending.splice(0)) resume();
      },
    },
    calls: { get: () => state.calls },
  }) as Store & { mode: FaultMode; calls: number };
}

/** A promise with its resolve/reject exposed (Node 20 has no Promise.withResolvers). */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * An in-process implementation of the CacheSync seam for core's own tests (several caches on one
 * store stand for several processes). `@cachekit/pubsub` provides the real one over a transport.
 */
export function syncHub(): {
  create(): import('../src/index.js').CacheSync;
  /** While true, published invalidations are lost (as across a pub/sub reconnect). */
  dropping: boolean;
  /** Signals a gap to every member. */
  gap(): void;
  /** Publishes a domain event to every member listening to it (its publisher included). */
  event(name: string, payload?: unknown): void;
  /** Members currently listening. */
  readonly size: number;
} {
  type Member = {
    id: string;
    listener: import('../src/index.js').SyncListener;
    events: readonly string[];
  };
  const members = new Set<Member>();
  let next = 0;
  const hub = {
    dropping: false,
    get size() {
      return members.size;
    },
    gap() {
      for (const member of members) member.listener.gap();
    },
    event(name: string, payload?: unknown) {
      for (const member of members)
        if (member.events.includes(name)) member.listener.event(name, payload);
    },
    create() {
      const id = `instance-${next++}`;
      return {
        instanceId: id,
        async publish(message: import('../src/index.js').InvalidationMessage) {
          if (hub.dropping) return;
          for (const member of members) if (member.id !== id) member.listener.invalidate(message);
        },
        async listen(listener: import('../src/index.js').SyncListener, events: readonly string[]) {
          const member = { id, listener, events };
          members.add(member);
          return async () => {
            members.delete(member);
          };
        },
      };
    },
  };
  return hub;
}

/** Which cache a worker process runs. */
export type WorkerKind = 'cachekit' | 'hand-written';

/** How a worker connects its cache (`init`). */
export interface InitArgs {
  readonly kind: WorkerKind;
  readonly redisUrl: string;
  /** TTL of every entry, in ms. */
  readonly ttlMs: number;
  /** cachekit: its distributed single-flight lock (`lock: true`). Ignored by the hand-written cache. */
  readonly lock: boolean;
}

/** A cache-aside read whose loader answers {@link valueFor}`(key, version)`. */
export interface ReadArgs {
  readonly key: string;
  readonly version: number;
  /** Report the next remote invalidation of this key as a `dropped` event. */
  readonly watch: boolean;
}

export interface ReadReply {
  /** `version` of the value returned, or -1 when it is not a value this benchmark wrote. */
  readonly version: number;
  /** The loader ran for this read (it missed both tiers). */
  readonly loaded: boolean;
}

export interface RemoveReply {
  /** Wall-clock ms just before the delete was called, and when it resolved. */
  readonly started: number;
  readonly ended: number;
}

/** `count` concurrent cold reads of `key`, whose loader takes `loaderMs`. */
export interface StampedeArgs {
  readonly key: string;
  readonly count: number;
  readonly loaderMs: number;
}

export interface StampedeReply {
  /** Loader calls in this process. */
  readonly loaderCalls: number;
  /** Wall-clock ms when this process's first loader call returned, or null if none ran here. */
  readonly loaderEnd: number | null;
  /** Wall-clock ms when the last of the callers got its answer. */
  readonly lastAnswer: number;
  /** Callers answered, and those whose value was not the loaded one. */
  readonly answered: number;
  readonly wrong: number;
}

/** Requests a worker answers, by operation. */
export interface Requests {
  readonly init: InitArgs;
  readonly read: ReadArgs;
  readonly remove: { readonly key: string };
  readonly stampede: StampedeArgs;
  readonly close: Record<string, never>;
}

/** The reply to each request. */
export interface Replies {
  readonly init: { readonly pid: number };
  readonly read: ReadReply;
  readonly remove: RemoveReply;
  readonly stampede: StampedeReply;
  readonly close: Record<string, never>;
}

export type Operation = keyof Requests;

/** Parent to worker. */
export interface Request {
  readonly id: number;
  readonly op: Operation;
  readonly args: unknown;
}

/** Worker to parent: ready once, a reply per request, and `dropped` events. */
export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: string }
  | {
      readonly kind: 'dropped';
      readonly key: string;
      /** Wall-clock ms when the L1 copy was dropped (right after, in the invalidation handler). */
      readonly at: number;
      /** Dropped by an L1 flush (a gap), not by the key's own invalidation. */
      readonly flush: boolean;
    };

/** Wall-clock ms with µs resolution, comparable across processes on one machine. */
export function wallClock(): number {
  return performance.timeOrigin + performance.now();
}

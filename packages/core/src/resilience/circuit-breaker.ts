import { type Duration, toMilliseconds } from '../duration.js';
import { InvalidOptionError } from '../errors.js';

/** Options of {@link CircuitBreaker}. Every one has a default. */
export interface CircuitBreakerOptions {
  /** Failure rate in (0, 1] over the window at or above which the circuit opens. Default: `0.5`. */
  failureRate?: number;
  /** Reported calls the window must hold before the failure rate counts (an integer >= 1). Default: `10`. */
  minimumCalls?: number;
  /**
   * Failures in a row that open the circuit whatever the window's rate: a service with a long
   * history of successes must not wait minutes before a dead store stops being called. Default: 5.
   */
  consecutiveFailures?: number;
  /**
   * Length of the rolling window, kept as 10 buckets of `window / 10` (so a report counts for
   * between 0.9 and 1 times `window`). Default: `'10s'`.
   */
  window?: Duration;
  /**
   * How long the circuit stays open before one probe call is let through (half-open); also how
   * long a probe that never reports blocks the next one. Default: `'1s'`.
   */
  openFor?: Duration;
  /** Clock in milliseconds. Default: `Date.now` (read at each call, so fake timers drive it). */
  now?: () => number;
}

/** `closed`: calls flow. `open`: calls are refused. `half-open`: one probe call is let through. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** Called once per transition, synchronously, with the new and the previous state. */
export type CircuitStateListener = (state: CircuitState, previous: CircuitState) => void;

const BUCKETS = 10;
const systemClock = (): number => Date.now();

/**
 * Failure counts over a rolling window of {@link BUCKETS} fixed buckets: O(1) memory, and O(1)
 * work per report (at most {@link BUCKETS} buckets cleared when time moves on).
 */
class RollingWindow {
  readonly #bucketMs: number;
  readonly #calls = new Float64Array(BUCKETS);
  readonly #failures = new Float64Array(BUCKETS);
  /** Absolute index (`floor(time / bucketMs)`) of the newest bucket. */
  #head = Number.NEGATIVE_INFINITY;
  calls = 0;
  failures = 0;

  constructor(windowMs: number) {
    this.#bucketMs = windowMs / BUCKETS;
  }

  record(now: number, failed: boolean): void {
    const index = Math.floor(now / this.#bucketMs);
    // A clock that went back keeps counting into the newest bucket.
    if (index > this.#head) this.#advance(index);
    const slot = ((this.#head % BUCKETS) + BUCKETS) % BUCKETS;
    this.#calls[slot] = (this.#calls[slot] ?? 0) + 1;
    this.calls += 1;
    if (failed) {
      this.#failures[slot] = (this.#failures[slot] ?? 0) + 1;
      this.failures += 1;
    }
  }

  reset(): void {
    this.#calls.fill(0);
    this.#failures.fill(0);
    this.#head = Number.NEGATIVE_INFINITY;
    this.calls = 0;
    this.failures = 0;
  }

  /** Moves the head to `index`, emptying the buckets that fell out of the window. */
  #advance(index: number): void {
    if (index - this.#head >= BUCKETS) {
      this.reset();
    } else {
      for (let bucket = this.#head + 1; bucket <= index; bucket++) {
        const slot = ((bucket % BUCKETS) + BUCKETS) % BUCKETS;
        this.calls -= this.#calls[slot] ?? 0;
        this.failures -= this.#failures[slot] ?? 0;
        this.#calls[slot] = 0;
        this.#failures[slot] = 0;
      }
    }
    this.#head = index;
  }
}

/**
 * A circuit breaker for store calls. Callers ask {@link CircuitBreaker.allow} before a call and
 * report its outcome with {@link CircuitBreaker.success} or {@link CircuitBreaker.failure}.
 *
 * - **closed**: every call is allowed (`allow()` reads nothing, not even the clock). When the
 *   window holds at least `minimumCalls` reports and `failures / calls >= failureRate`, it opens.
 * - **open**: `allow()` is `false` (one clock read) until `openFor` has passed; then half-open.
 * - **half-open**: exactly one caller gets `true` (the probe). Its success closes the circuit with
 *   an empty window; its failure opens it again for `openFor`. A probe that never reports (its
 *   caller gave up) stops blocking after `openFor`, and the next caller becomes the probe.
 *
 * There are no timers: the state is derived from the clock when asked, so a breaker keeps no
 * process alive and needs no disposal. Reports that arrive while open (calls let through before
 * the circuit opened) are ignored. In half-open, any success closes the circuit (the store answered),
 * but a failure re-opens it only while a probe is out, so late failures of calls let through before
 * the circuit opened cannot delay recovery.
 */
export class CircuitBreaker {
  /** Resolved `failureRate`. */
  readonly failureRate: number;
  /** Resolved `minimumCalls`. */
  readonly minimumCalls: number;
  /** Resolved `consecutiveFailures`. */
  readonly consecutiveFailures: number;
  #streak = 0;
  /** Resolved `window`, in ms. */
  readonly window: number;
  /** Resolved `openFor`, in ms. */
  readonly openFor: number;
  readonly #now: () => number;
  readonly #counts: RollingWindow;
  #state: CircuitState = 'closed';
  /** When the circuit last opened (meaningful while open). */
  #openedAt = 0;
  /** Whether a half-open probe is out, and when it was let through. */
  #probing = false;
  #probeAt = 0;
  #listeners: readonly CircuitStateListener[] = [];

  constructor(options: CircuitBreakerOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw new InvalidOptionError('CircuitBreaker expects an options object (or nothing).');
    }
    this.failureRate = resolveFailureRate(options.failureRate);
    this.minimumCalls = resolveMinimumCalls(options.minimumCalls);
    this.consecutiveFailures = resolveMinimumCalls(
      options.consecutiveFailures ?? 5,
      'consecutiveFailures',
    );
    this.window = resolveDuration(options.window ?? '10s', 'window');
    this.openFor = resolveDuration(options.openFor ?? '1s', 'openFor');
    const now = options.now ?? systemClock;
    if (typeof now !== 'function') {
      throw new InvalidOptionError('CircuitBreaker option "now" must be a function returning ms.');
    }
    this.#now = now;
    this.#counts = new RollingWindow(this.window);
  }

  /** The current state; an open circuit whose `openFor` has passed reports (and becomes) half-open. */
  get state(): CircuitState {
    if (this.#state === 'open') this.#halfOpenIfDue(this.#now());
    return this.#state;
  }

  /** Whether a call may go to the store now. In half-open, exactly one caller gets `true` until that probe reports. */
  allow(): boolean {
    if (this.#state === 'closed') return true;
    const now = this.#now();
    if (this.#state === 'open' && !this.#halfOpenIfDue(now)) return false;
    if (this.#probing) {
      if (now < this.#probeAt) this.#probeAt = now;
      if (now - this.#probeAt < this.openFor) return false;
    }
    this.#probing = true;
    this.#probeAt = now;
    return true;
  }

  /** Reports a call that succeeded. In half-open it closes the circuit and empties the window. */
  success(): void {
    this.#streak = 0;
    if (this.#state === 'closed') {
      this.#counts.record(this.#now(), false);
      return;
    }
    const now = this.#now();
    if (this.#state === 'open' && !this.#halfOpenIfDue(now)) return;
    this.#enter('closed', now);
  }

  /** Reports a call that failed. It may open the circuit; a failed probe re-opens it for `openFor`. */
  failure(): void {
    const now = this.#now();
    if (this.#state === 'closed') {
      const window = this.#counts;
      window.record(now, true);
      this.#streak++;
      const rateExceeded =
        window.calls >= this.minimumCalls && window.failures / window.calls >= this.failureRate;
      if (rateExceeded || this.#streak >= this.consecutiveFailures) {
        this.#streak = 0;
        this.#enter('open', now);
      }
      return;
    }
    if (this.#state === 'open' && !this.#halfOpenIfDue(now)) return;
    // Half-open with no probe out: a late report of a call let through before the circuit opened.
    if (this.#probing) this.#enter('open', now);
  }

  /**
   * Calls `listener` once per state transition, synchronously. A listener that throws is isolated
   * (reported with `process.emitWarning`, code `CACHEKIT_LISTENER_ERROR`). Returns the unsubscribe function.
   */
  onStateChange(listener: CircuitStateListener): () => void {
    if (typeof listener !== 'function') {
      throw new InvalidOptionError('onStateChange expects a function (state, previous) => void.');
    }
    this.#listeners = [...this.#listeners, listener];
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const index = this.#listeners.indexOf(listener);
      if (index !== -1) this.#listeners = this.#listeners.toSpliced(index, 1);
    };
  }

  /** Moves an open circuit whose `openFor` has passed to half-open; returns whether it is half-open. */
  #halfOpenIfDue(now: number): boolean {
    // A clock that went back restarts the wait instead of wedging the circuit open.
    if (now < this.#openedAt) this.#openedAt = now;
    if (now - this.#openedAt < this.openFor) return false;
    this.#enter('half-open', now);
    return true;
  }

  #enter(state: CircuitState, now: number): void {
    const previous = this.#state;
    this.#state = state;
    this.#probing = false;
    if (state === 'open') this.#openedAt = now;
    else if (state === 'closed') this.#counts.reset();
    for (const listener of this.#listeners) {
      try {
        listener(state, previous);
      } catch (error) {
        process.emitWarning(
          `cachekit: a circuit breaker state listener threw: ${error instanceof Error ? error.message : String(error)}`,
          { code: 'CACHEKIT_LISTENER_ERROR' },
        );
      }
    }
  }
}

function resolveFailureRate(input: unknown): number {
  const rate = input ?? 0.5;
  if (typeof rate !== 'number' || !(rate > 0 && rate <= 1)) {
    throw new InvalidOptionError(
      `CircuitBreaker option "failureRate" must be a number in (0, 1], got ${String(input)}.`,
    );
  }
  return rate;
}

function resolveMinimumCalls(input: unknown, name = 'minimumCalls'): number {
  const calls = input ?? 10;
  if (typeof calls !== 'number' || !Number.isSafeInteger(calls) || calls < 1) {
    throw new InvalidOptionError(
      `CircuitBreaker option "${name}" must be an integer >= 1, got ${String(input)}.`,
    );
  }
  return calls;
}

/** {@link toMilliseconds}, with its error rethrown as an {@link InvalidOptionError} naming the option. */
function resolveDuration(input: unknown, what: string): number {
  try {
    return toMilliseconds(input, what);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new InvalidOptionError(`CircuitBreaker option "${what}": ${detail}`, { cause: error });
  }
}

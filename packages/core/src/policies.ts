import { type Duration, toMilliseconds } from './duration.js';
import { InvalidPolicyError } from './errors.js';

/** The kinds of data a policy describes. */
export type PolicyKind = 'ephemeral' | 'moderate' | 'stable' | 'event-driven' | 'no-cache';

/** How one class of data is cached. Build custom ones with {@link definePolicy}. */
export interface Policy {
  readonly kind: PolicyKind;
  /** Time to live in milliseconds (finite, > 0). For `no-cache`, 0 and unused. */
  readonly ttl: number;
  /** Names of bus events that invalidate entries cached with this policy (event-driven only). */
  readonly invalidateOn: readonly string[];
}

/** Overrides accepted by {@link definePolicy}. */
export interface PolicyOverrides {
  /** Time to live; default: the base policy's. Must be finite and > 0. */
  ttl?: Duration;
  /** Event names that invalidate the entries (`'miner.config.updated'`); default: the base policy's. */
  invalidateOn?: readonly string[];
}

const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*$/;

/** Validates an event name used in `invalidateOn` (dot-separated words, e.g. `miner.config.updated`). */
export function assertEventName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !EVENT_NAME.test(name)) {
    throw new InvalidPolicyError(
      `Invalid event name ${JSON.stringify(name)}: use dot-separated words such as 'miner.config.updated'.`,
    );
  }
}

function freeze(kind: PolicyKind, ttl: number, invalidateOn: readonly string[]): Policy {
  return Object.freeze({ kind, ttl, invalidateOn: Object.freeze([...invalidateOn]) });
}

/**
 * Derives a policy from a base one with a different TTL or event list, validating both.
 *
 * ```ts
 * const minerConfig = definePolicy(EVENT_DRIVEN, { ttl: '5m', invalidateOn: ['miner.config.updated'] });
 * ```
 */
export function definePolicy(base: Policy, overrides: PolicyOverrides = {}): Policy {
  if (base.kind === 'no-cache') {
    if (overrides.ttl !== undefined || (overrides.invalidateOn?.length ?? 0) > 0) {
      throw new InvalidPolicyError(
        'NO_CACHE takes no ttl and no events: it never stores anything.',
      );
    }
    return base;
  }
  const ttl = overrides.ttl === undefined ? base.ttl : toMilliseconds(overrides.ttl, 'ttl');
  const events = overrides.invalidateOn ?? base.invalidateOn;
  if (!Array.isArray(events)) {
    throw new InvalidPolicyError('invalidateOn must be an array of event names.');
  }
  for (const name of events) assertEventName(name);
  if (events.length > 0 && base.kind !== 'event-driven') {
    throw new InvalidPolicyError(
      `invalidateOn is only meaningful with EVENT_DRIVEN; derive from EVENT_DRIVEN instead of ${base.kind.toUpperCase()}.`,
    );
  }
  return freeze(base.kind, ttl, events);
}

/** Fast-changing data (live status): 10 s. Meant for 5-30 s. */
export const EPHEMERAL: Policy = freeze('ephemeral', 10_000, []);
/** Data that changes now and then (lists, summaries): 2 min. Meant for 1-5 min. */
export const MODERATE: Policy = freeze('moderate', 120_000, []);
/** Data that rarely changes (firmware catalogues): 30 min. Meant for 10-60 min. */
export const STABLE: Policy = freeze('stable', 1_800_000, []);
/**
 * Data invalidated by named events; the TTL (5 min) is only a fallback. Give it events with
 * `definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] })`: using it without any
 * event is refused when an entry is defined.
 */
export const EVENT_DRIVEN: Policy = freeze('event-driven', 300_000, []);
/** Never cached: every read goes to the source. */
export const NO_CACHE: Policy = Object.freeze({
  kind: 'no-cache',
  ttl: 0,
  invalidateOn: Object.freeze([]),
});

/** All built-in policies. */
export const policies: {
  readonly EPHEMERAL: Policy;
  readonly MODERATE: Policy;
  readonly STABLE: Policy;
  readonly EVENT_DRIVEN: Policy;
  readonly NO_CACHE: Policy;
} = Object.freeze({ EPHEMERAL, MODERATE, STABLE, EVENT_DRIVEN, NO_CACHE });

/** Checks that a policy object is well formed (so hand-built objects get the same checks). */
export function assertPolicy(policy: unknown): asserts policy is Policy {
  const p = policy as Partial<Policy> | null;
  if (p === null || typeof p !== 'object' || typeof p.kind !== 'string') {
    throw new InvalidPolicyError(
      'Expected a policy such as EPHEMERAL, MODERATE, STABLE, EVENT_DRIVEN or NO_CACHE.',
    );
  }
  if (p.kind === 'no-cache') return;
  toMilliseconds(p.ttl, 'policy ttl');
  if (p.kind === 'event-driven' && (p.invalidateOn?.length ?? 0) === 0) {
    throw new InvalidPolicyError(
      "EVENT_DRIVEN needs at least one event: definePolicy(EVENT_DRIVEN, { invalidateOn: ['miner.config.updated'] }).",
    );
  }
  for (const name of p.invalidateOn ?? []) assertEventName(name);
}

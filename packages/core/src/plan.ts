import type { CacheContext } from './context.js';
import { type Duration, toMilliseconds } from './duration.js';
import type { EntryPlan } from './entry-io.js';
import { InvalidKeyError, InvalidTtlError } from './errors.js';
import type { KeySpace } from './keys.js';
import { assertPolicy, type Policy } from './policies.js';
import { type ResilienceOptions, resolveResilience } from './resilience-options.js';

/**
 * Per-call options of `set` and `getOrSet` (grace, timeouts and lock default to the cache's).
 * An options object is resolved once and remembered: reuse a constant per kind of data, and do
 * not mutate it afterwards.
 */
export interface EntryOptions extends ResilienceOptions {
  /** Policy of this entry. Default: the cache's `policy`. */
  policy?: Policy;
  /** TTL overriding the policy's (finite, > 0, <= `maxTtl`). */
  ttl?: Duration;
  /** Tags for cascading invalidation with `invalidateTags`. Default: none. */
  tags?: readonly string[];
}

const EVENT_TAG_PREFIX = '@event:';

/** The tag every entry cached under an EVENT_DRIVEN policy carries for each of its events. */
export function eventTag(event: string): string {
  return EVENT_TAG_PREFIX + event;
}

/** Resolves per-call options into a write plan, validating policy, TTL, grace and tags. */
export function resolvePlan(
  ctx: CacheContext,
  keys: KeySpace,
  options: EntryOptions | undefined,
  eventTags: boolean,
): EntryPlan {
  const defaults = ctx.options;
  const policy = options?.policy ?? defaults.policy;
  if (options?.policy !== undefined) assertPolicy(policy);
  const resilience = resolveResilience(options, defaults.resilience);
  if (policy.kind === 'no-cache') return { cache: false, ttl: 0, tagKeys: [], resilience };
  const ttl = options?.ttl === undefined ? policy.ttl : toMilliseconds(options.ttl, 'ttl');
  if (ttl + resilience.grace > defaults.maxTtl) {
    throw new InvalidTtlError(
      `ttl ${ttl} ms + grace ${resilience.grace} ms exceeds maxTtl (${defaults.maxTtl} ms): ` +
        'lower them or raise maxTtl in createCache.',
    );
  }
  const tags = options?.tags ?? [];
  if (!Array.isArray(tags)) {
    throw new InvalidKeyError('tags must be an array of non-empty strings.');
  }
  const tagKeys = tags.map((tag) => keys.tag(tag));
  if (policy.invalidateOn.length > 0) ctx.link?.watch(policy.invalidateOn);
  if (eventTags) {
    for (const event of policy.invalidateOn) tagKeys.push(keys.tag(eventTag(event)));
  }
  return { cache: true, ttl, tagKeys: [...new Set(tagKeys)], resilience };
}

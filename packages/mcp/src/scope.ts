import { type EntryOptions, InvalidOptionError } from '@cachekit/core';
import { sha256 } from './canonical-json.js';
import type { CacheSettings, McpExtra } from './types.js';

/** Principals longer than this are hashed before they become a key part. */
const MAX_LITERAL_PRINCIPAL = 128;

/**
 * The default principal: a hash of the access token of the session (`extra.authInfo.token`), so a
 * token never appears in a key; `undefined` (not cached) without auth info.
 */
export function tokenPrincipal(extra: McpExtra): string | undefined {
  const token = extra.authInfo?.token;
  return typeof token === 'string' && token.length > 0 ? `token.${sha256(token)}` : undefined;
}

/** Checks the scope options of a registration, so a typo fails at startup, not per call. */
export function assertCacheSettings(settings: CacheSettings, what: string): void {
  const { scope, principal } = settings;
  if (scope !== undefined && scope !== 'public' && scope !== 'private') {
    throw new InvalidOptionError(
      `Invalid scope ${JSON.stringify(scope)} for ${what}: use 'public' (default) or 'private'.`,
    );
  }
  if (principal !== undefined && typeof principal !== 'function') {
    throw new InvalidOptionError(
      `Invalid principal for ${what}: give a function (extra) => string | undefined.`,
    );
  }
}

/**
 * The key parts naming whose entry a call reads: `['public']`, or `['private', <principal>]`;
 * `undefined` when the call must not be cached (private scope without a principal).
 */
export function scopeParts(settings: CacheSettings, extra: McpExtra): string[] | undefined {
  if (settings.scope !== 'private') return ['public'];
  const principal = (settings.principal ?? tokenPrincipal)(extra);
  if (typeof principal !== 'string' || principal.length === 0) return undefined;
  return [
    'private',
    principal.length > MAX_LITERAL_PRINCIPAL ? `#${sha256(principal)}` : principal,
  ];
}

/** Core entry options from cache settings plus the tags of one call. */
export function entryOptions(settings: CacheSettings, tags: readonly string[]): EntryOptions {
  return {
    ...(settings.policy === undefined ? {} : { policy: settings.policy }),
    ...(settings.ttl === undefined ? {} : { ttl: settings.ttl }),
    ...(settings.grace === undefined ? {} : { grace: settings.grace }),
    tags,
  };
}

import type { EntryOptions, Policy } from '@cachekit/core';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { Variables } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/** What the SDK passes to every request callback (auth info, session id, abort signal...). */
export type McpExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Decoded template variables, as the read callback of a cached template receives them. */
export type { Variables };

/**
 * Validates (and may normalise) one decoded template variable: `true` accepts it as it is,
 * `false` refuses it (the read fails with `InvalidParams`, nothing is cached), a non-empty string
 * replaces it (e.g. `(id) => id.toLowerCase()`), so that aliases share one cache entry.
 */
export type VariableValidator = (value: string) => boolean | string;

/** Whose entry a read is: `'public'` (one per URI) or `'private'` (one per URI and principal). */
export type Scope = 'public' | 'private';

/** Identity of the caller for `scope: 'private'`; `undefined` means "do not cache this call". */
export type Principal = (extra: McpExtra) => string | undefined;

/** Cache settings shared by resources and tools. */
export interface CacheSettings {
  /** Policy of the entries (TTL, events). Default: the cache's default policy. */
  policy?: Policy;
  /** TTL overriding the policy's. Default: the policy's. */
  ttl?: EntryOptions['ttl'];
  /** Keep serving a stale entry this long past its TTL while it reloads. Default: the cache's. */
  grace?: EntryOptions['grace'];
  /**
   * `'private'`: one entry per principal (never served to another auth context); calls whose
   * principal is `undefined` are not cached. Default `'public'`.
   */
  scope?: Scope;
  /**
   * The principal of a call, for `scope: 'private'`. Default: a hash of `extra.authInfo.token`
   * (`undefined` without auth info, so unauthenticated calls are not cached).
   */
  principal?: Principal;
}

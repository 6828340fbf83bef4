import type { Cache, CacheError, Policy } from '@cachekit/core';
import type { Subscriber, Subscriptions } from './subscriptions.js';
import type { UriRegistry } from './uri.js';

/** Tag carried by every cached template `list` result: `resourceListChanged()` invalidates it. */
export const LIST_TAG = 'mcp-lists';

/** What a session needs from its hub (implemented by the hub; sessions never see the hub class). */
export interface HubContext {
  /** The hub's namespace of the cache (`<namespace>` child of the cache given). */
  readonly cache: Cache;
  readonly uris: UriRegistry;
  readonly subscriptions: Subscriptions;
  /** Largest tool input accepted, in bytes of JSON. */
  readonly maxInputBytes: number;
  /** Most URIs one session may subscribe to. */
  readonly maxSubscriptionsPerSession: number;
  /** Default policy of cached template `list` results. */
  readonly listPolicy: Policy;
  /** Throws a `ClosedError` once the hub is closed. */
  assertOpen(operation: string): void;
  /**
   * `hub.resourceUpdated`: invalidate, then notify local subscribers and publish (even when the
   * invalidation failed; it rejects afterwards).
   */
  resourceUpdated(uris: readonly string[]): Promise<void>;
  /** Hands an error nobody can be thrown to to the hub's `onError`. */
  report(error: CacheError): void;
  /** Called by a session when its server closes. */
  detached(session: Subscriber): void;
}

import { randomUUID } from 'node:crypto';
import {
  type Cache,
  CacheError,
  ClosedError,
  InvalidKeyError,
  TransportError,
} from '@cachekit/core';
import type {
  McpServer,
  ReadResourceCallback,
  ReadResourceTemplateCallback,
  ResourceMetadata,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { BusLink } from './bus-link.js';
import type { ResourceCacheOptions } from './cached-resource.js';
import { type HubContext, LIST_TAG } from './context.js';
import { McpCapabilityError, McpInvalidationError, McpSessionError } from './errors.js';
import { FanOut } from './fan-out.js';
import { type McpHubOptions, type ResolvedHubOptions, resolveHubOptions } from './options.js';
import {
  defineResource,
  type FixedResourceDefinition,
  type TemplateResourceDefinition,
} from './resource-definition.js';
import { McpSession } from './session.js';
import { Subscriptions } from './subscriptions.js';
import { UriRegistry, uriTag } from './uri.js';

/** What `hub.stats()` returns. */
export interface McpHubStats {
  /** Sessions attached and not closed. */
  readonly sessions: number;
  /** (session, URI) subscriptions of those sessions. */
  readonly subscriptions: number;
  /** Notifications handed to a session's transport. */
  readonly notified: number;
  /** Notifications that could not be sent (reported to `onError`). */
  readonly notifyErrors: number;
  /** Announcements received from other instances. */
  readonly received: number;
}

/**
 * One per process: one cache namespace, one bus subscription, every session of this process.
 * Create it with {@link createMcpHub}; `attach(server)` each `McpServer` (one per session).
 */
export class McpHub {
  /** This hub's id, carried by its announcements so that it skips its own. */
  readonly id: string = randomUUID();
  /** The hub's namespace of the cache given (`<cache namespace>:mcp`). */
  readonly cache: Cache;
  readonly #uris = new UriRegistry();
  readonly #subscriptions = new Subscriptions();
  readonly #ctx: HubContext;
  readonly #options: ResolvedHubOptions;
  readonly #sessions = new Set<McpSession>();
  readonly #attached = new WeakSet<McpServer>();
  readonly #fanOut: FanOut;
  readonly #link: BusLink | undefined;
  readonly #ready: Promise<void>;
  #closed = false;
  #received = 0;

  /** @internal use {@link createMcpHub} */
  constructor(options: McpHubOptions) {
    const resolved = resolveHubOptions(options);
    this.#options = resolved;
    this.cache = resolved.cache.namespace(resolved.namespace);
    this.#fanOut = new FanOut(
      this.#subscriptions,
      this.#sessions,
      resolved.notifyTimeoutMs,
      (error) => this.#report(error),
    );
    this.#ctx = {
      cache: this.cache,
      uris: this.#uris,
      subscriptions: this.#subscriptions,
      maxInputBytes: resolved.maxInputBytes,
      maxSubscriptionsPerSession: resolved.maxSubscriptionsPerSession,
      listPolicy: resolved.listPolicy,
      assertOpen: (operation) => this.#assertOpen(operation),
      resourceUpdated: (uris) => this.resourceUpdated(uris),
      report: (error) => this.#report(error),
      detached: (session) => {
        this.#subscriptions.removeSession(session);
        this.#sessions.delete(session as McpSession);
      },
    };
    if (resolved.bus === undefined) {
      this.#ready = Promise.resolve();
      return;
    }
    this.#link = new BusLink(resolved.bus, resolved.channel, this.id, {
      updated: (uris) => {
        this.#received++;
        void this.#receiveUpdated(uris);
      },
      listChanged: () => {
        this.#received++;
        void this.#fanOut.listChanged();
      },
      // Announcements may have been lost: tell every subscriber to re-read (a spurious
      // `resources/updated` costs one read; a missed one serves stale data until the next).
      gap: () => void this.#fanOut.everySubscription(),
    });
    this.#ready = this.#link.ready();
    this.#ready.catch((error: unknown) => this.#report(toCacheError(error)));
  }

  /**
   * Attaches one session's server: installs the `resources/subscribe` and `unsubscribe`
   * handlers and returns the session helpers. The server must have been created with
   * `capabilities: { resources: { subscribe: true } }` (capabilities cannot be added after
   * `connect`): otherwise this throws {@link McpCapabilityError}. Attach each server once.
   */
  attach(server: McpServer): McpSession {
    this.#assertOpen('attach');
    const inner = (server as { server?: unknown } | null)?.server as
      | { getCapabilities?: () => ServerCapabilities | undefined }
      | undefined;
    if (typeof inner?.getCapabilities !== 'function') {
      throw new McpSessionError('hub.attach() needs an McpServer from @modelcontextprotocol/sdk.');
    }
    if (inner.getCapabilities()?.resources?.subscribe !== true) {
      throw new McpCapabilityError(
        'This McpServer does not advertise resources.subscribe, and capabilities cannot be added ' +
          'after connect: create it with new McpServer(info, { capabilities: { resources: ' +
          '{ subscribe: true, listChanged: true } } }).',
      );
    }
    if (this.#attached.has(server)) {
      throw new McpSessionError(
        'This McpServer is already attached: attach each server (session) once.',
      );
    }
    this.#attached.add(server);
    const session = new McpSession(this.#ctx, server);
    this.#sessions.add(session);
    return session;
  }

  /**
   * Defines a cached resource once per process, with the arguments of `session.resource(...)`:
   * the hub learns its URI or template (and validators) at once, so it canonicalises URIs given
   * to `resourceUpdated` (and received from other instances) before any session registered it.
   * Register the definition on each session with `session.resource(definition)`.
   */
  resource(
    name: string,
    uri: string,
    metadata: ResourceMetadata,
    read: ReadResourceCallback,
    options?: ResourceCacheOptions,
  ): FixedResourceDefinition;
  resource(
    name: string,
    template: ResourceTemplate,
    metadata: ResourceMetadata,
    read: ReadResourceTemplateCallback,
    options?: ResourceCacheOptions,
  ): TemplateResourceDefinition;
  resource(
    name: string,
    uriOrTemplate: string | ResourceTemplate,
    metadata: ResourceMetadata,
    read: ReadResourceCallback | ReadResourceTemplateCallback,
    options: ResourceCacheOptions = {},
  ): FixedResourceDefinition | TemplateResourceDefinition {
    this.#assertOpen('resource');
    return defineResource(this.#ctx, name, uriOrTemplate, metadata, read, options);
  }

  /**
   * A resource changed: invalidates its cached entries (every scope, every process: one tag bump
   * per URI), then sends `notifications/resources/updated` to every session subscribed to it, on
   * this instance and (through the bus, at the same time) on the others. A URI that matches a
   * registered resource is canonicalised first (`%41` = `A`, validators' normalisation); one with
   * invalid variables throws `InvalidKeyError` and nothing happens. Each local send waits at most
   * `notifyTimeout` (a late or failed one goes to `onError`). When the invalidation fails, the
   * subscribers are still notified and the announcement published, then this rejects with the
   * invalidation's error; a publish failure rejects with `TransportError` after local sessions
   * were notified.
   */
  async resourceUpdated(uri: string | readonly string[]): Promise<void> {
    this.#assertOpen('resourceUpdated');
    const given: readonly unknown[] = Array.isArray(uri) ? uri : [uri];
    const canonical = [...new Set(given.map((item) => this.#canonical(item)))];
    if (canonical.length === 0) return;
    let invalidation: { error: unknown } | undefined;
    try {
      await this.cache.invalidateTags(canonical.map(uriTag));
    } catch (error) {
      // Still notify: with the store down, reads fall back to the source, and subscribers that
      // re-read get the new value; without the notification they would never re-read.
      invalidation = { error };
    }
    const [, published] = await Promise.allSettled([
      this.#fanOut.updated(canonical),
      this.#link?.publishUpdated(canonical),
    ]);
    if (invalidation !== undefined) throw invalidation.error;
    if (published.status === 'rejected') throw published.reason;
  }

  /**
   * The list of resources changed: drops cached template `list` results and sends
   * `notifications/resources/list_changed` to every session, here and (through the bus) on
   * every other instance.
   */
  async resourceListChanged(): Promise<void> {
    this.#assertOpen('resourceListChanged');
    await this.cache.invalidateTags([LIST_TAG]);
    const [, published] = await Promise.allSettled([
      this.#fanOut.listChanged(),
      this.#link?.publishListChanged(),
    ]);
    if (published.status === 'rejected') throw published.reason;
  }

  /** Resolves once the bus subscription is established (at once without a bus). */
  ready(): Promise<void> {
    return this.#ready;
  }

  stats(): McpHubStats {
    return {
      sessions: this.#sessions.size,
      subscriptions: this.#subscriptions.size,
      notified: this.#fanOut.counts.notified,
      notifyErrors: this.#fanOut.counts.notifyErrors,
      received: this.#received,
    };
  }

  /**
   * Releases the bus subscription and forgets every session (their servers stay open: they are
   * yours, as are the cache and the bus). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const session of [...this.#sessions]) session.detach();
    await this.#link?.close();
  }

  #assertOpen(operation: string): void {
    if (this.#closed) {
      throw new ClosedError(`Cannot ${operation}: the MCP hub was closed. Create a new one.`);
    }
  }

  #canonical(uri: unknown): string {
    try {
      return this.#uris.canonical(uri);
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      throw new InvalidKeyError(`resourceUpdated(${JSON.stringify(uri)}): ${detail}`, {
        cause: error,
      });
    }
  }

  /**
   * Another instance announced `uris` (canonical by its registry, which may lack definitions this
   * one has): canonicalised again here, and a form that differs is invalidated too, before the
   * local subscribers are notified.
   */
  async #receiveUpdated(uris: readonly string[]): Promise<void> {
    const local = new Set<string>();
    const differing: string[] = [];
    for (const uri of uris) {
      const canonical = this.#uris.tryCanonical(uri) ?? uri;
      local.add(canonical);
      if (canonical !== uri) differing.push(canonical);
    }
    if (differing.length > 0) {
      try {
        await this.cache.invalidateTags([...new Set(differing)].map(uriTag));
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        this.#report(
          new McpInvalidationError(
            `Could not invalidate ${differing.join(', ')} announced by another instance ` +
              `(${detail}): cached reads may be stale until their TTL.`,
            { cause: error },
          ),
        );
      }
    }
    await this.#fanOut.updated([...local]);
  }

  #report(error: CacheError): void {
    try {
      this.#options.onError?.(error);
    } catch {
      // A throwing onError must not break notification fan-out.
    }
  }
}

function toCacheError(error: unknown): CacheError {
  if (error instanceof CacheError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TransportError(`The MCP hub could not subscribe to its bus channel: ${detail}`, {
    cause: error,
  });
}

/**
 * Creates the process's MCP hub.
 *
 * ```ts
 * const hub = createMcpHub({ cache, bus });
 * const server = new McpServer(info, { capabilities: { resources: { subscribe: true, listChanged: true }, tools: {} } });
 * const session = hub.attach(server);
 * session.resource('status', new ResourceTemplate('braiins:///miner/{minerId}/status', { list: undefined }), {}, read, { policy: EPHEMERAL });
 * ```
 */
export function createMcpHub(options: McpHubOptions): McpHub {
  return new McpHub(options);
}

import { randomUUID } from 'node:crypto';
import {
  type Cache,
  CacheError,
  ClosedError,
  InvalidKeyError,
  TransportError,
} from '@cachekit/core';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerCapabilities } from '@modelcontextprotocol/sdk/types.js';
import { BusLink } from './bus-link.js';
import { type HubContext, LIST_TAG } from './context.js';
import { McpCapabilityError, McpNotifyError, McpSessionError } from './errors.js';
import { type McpHubOptions, type ResolvedHubOptions, resolveHubOptions } from './options.js';
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
  readonly #link: BusLink | undefined;
  readonly #ready: Promise<void>;
  #closed = false;
  #notified = 0;
  #notifyErrors = 0;
  #received = 0;

  /** @internal use {@link createMcpHub} */
  constructor(options: McpHubOptions) {
    const resolved = resolveHubOptions(options);
    this.#options = resolved;
    this.cache = resolved.cache.namespace(resolved.namespace);
    this.#ctx = {
      cache: this.cache,
      uris: this.#uris,
      subscriptions: this.#subscriptions,
      maxInputBytes: resolved.maxInputBytes,
      maxSubscriptionsPerSession: resolved.maxSubscriptionsPerSession,
      listPolicy: resolved.listPolicy,
      assertOpen: (operation) => this.#assertOpen(operation),
      resourceUpdated: (uris) => this.resourceUpdated(uris),
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
        void this.#notifyLocal(uris);
      },
      listChanged: () => {
        this.#received++;
        void this.#listChangedLocal();
      },
      // Announcements may have been lost: tell every subscriber to re-read (a spurious
      // `resources/updated` costs one read; a missed one serves stale data until the next).
      gap: () => void this.#notifyEverySubscriber(),
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
   * A resource changed: invalidates its cached entries (every scope, every process: one tag bump
   * per URI), then sends `notifications/resources/updated` to every session subscribed to it, on
   * this instance at once and on the others through the bus. A URI that matches a registered
   * template is canonicalised first (`%41` = `A`); one with invalid variables throws
   * `InvalidKeyError` and nothing happens. An invalidation failure rejects before anyone is
   * notified; a publish failure rejects with `TransportError` after local sessions were notified.
   */
  async resourceUpdated(uri: string | readonly string[]): Promise<void> {
    this.#assertOpen('resourceUpdated');
    const given: readonly unknown[] = Array.isArray(uri) ? uri : [uri];
    const canonical = [...new Set(given.map((item) => this.#canonical(item)))];
    if (canonical.length === 0) return;
    await this.cache.invalidateTags(canonical.map(uriTag));
    await this.#notifyLocal(canonical);
    await this.#link?.publishUpdated(canonical);
  }

  /**
   * The list of resources changed: drops cached template `list` results and sends
   * `notifications/resources/list_changed` to every session, here and (through the bus) on
   * every other instance.
   */
  async resourceListChanged(): Promise<void> {
    this.#assertOpen('resourceListChanged');
    await this.cache.invalidateTags([LIST_TAG]);
    await this.#listChangedLocal();
    await this.#link?.publishListChanged();
  }

  /** Resolves once the bus subscription is established (at once without a bus). */
  ready(): Promise<void> {
    return this.#ready;
  }

  stats(): McpHubStats {
    return {
      sessions: this.#sessions.size,
      subscriptions: this.#subscriptions.size,
      notified: this.#notified,
      notifyErrors: this.#notifyErrors,
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

  async #notifyLocal(uris: readonly string[]): Promise<void> {
    const sends: Promise<void>[] = [];
    for (const uri of uris) {
      for (const [session, asGiven] of this.#subscriptions.subscribers(uri) ?? []) {
        sends.push(this.#send(session.sendUpdated(asGiven), `resources/updated for ${asGiven}`));
      }
    }
    await Promise.all(sends);
  }

  async #notifyEverySubscriber(): Promise<void> {
    const sends = [...this.#subscriptions.entries()].map(([session, asGiven]) =>
      this.#send(session.sendUpdated(asGiven), `resources/updated for ${asGiven}`),
    );
    await Promise.all(sends);
  }

  async #listChangedLocal(): Promise<void> {
    const sends = [...this.#sessions].map((session) =>
      this.#send(session.sendListChanged(), 'resources/list_changed'),
    );
    await Promise.all(sends);
  }

  async #send(sending: Promise<void>, what: string): Promise<void> {
    try {
      await sending;
      this.#notified++;
    } catch (error) {
      this.#notifyErrors++;
      const detail = error instanceof Error ? error.message : String(error);
      this.#report(
        new McpNotifyError(`Could not send ${what} to a session (${detail}).`, { cause: error }),
      );
    }
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

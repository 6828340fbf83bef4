import type {
  McpServer,
  ReadResourceCallback,
  ReadResourceTemplateCallback,
  RegisteredResource,
  RegisteredResourceTemplate,
  RegisteredTool,
  ResourceMetadata,
  ResourceTemplate,
  ToolCallback,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import type { AnySchema, ZodRawShapeCompat } from '@modelcontextprotocol/sdk/server/zod-compat.js';
import {
  ErrorCode,
  McpError,
  SubscribeRequestSchema,
  type ToolAnnotations,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { ResourceCacheOptions } from './cached-resource.js';
import { assertToolOptions, type ToolInput, type ToolOptions, wrapTool } from './cached-tool.js';
import type { HubContext } from './context.js';
import type { Recipient } from './fan-out.js';
import { serverServes } from './known-resources.js';
import {
  defineResource,
  type FixedResourceDefinition,
  type ResourceDefinition,
  registerDefinition,
  type TemplateResourceDefinition,
} from './resource-definition.js';
import { chainOnClose } from './server-hooks.js';
import { normaliseUri } from './uri.js';

/** The config of `session.tool(...)`: the SDK's `registerTool` config. */
export interface ToolConfig<
  InputArgs extends undefined | ZodRawShapeCompat | AnySchema,
  OutputArgs extends ZodRawShapeCompat | AnySchema,
> {
  title?: string;
  description?: string;
  inputSchema?: InputArgs;
  outputSchema?: OutputArgs;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
}

/**
 * One MCP session (one `McpServer` and its transport) attached to a hub: registers cached
 * resources and tools on the server, serves `resources/subscribe` / `unsubscribe`, and receives
 * the `resources/updated` notifications of the URIs it subscribed to. Detaches itself when the
 * server's connection closes.
 */
export class McpSession implements Recipient {
  /** The server this session registers on. */
  readonly server: McpServer;
  readonly #ctx: HubContext;
  #closed = false;

  /** @internal use `hub.attach(server)` */
  constructor(ctx: HubContext, server: McpServer) {
    this.#ctx = ctx;
    this.server = server;
    const inner = server.server;
    inner.setRequestHandler(SubscribeRequestSchema, (request) => {
      this.#assertServing();
      const { uri } = request.params;
      const href = normaliseUri(uri);
      if (!(serverServes(server, href) ?? ctx.uris.knows(href))) {
        // The SDK's own answer to a read of an unknown URI (-32602, as SEP-2164 settled).
        throw new McpError(ErrorCode.InvalidParams, `Resource ${uri} not found`, { uri });
      }
      const canonical = ctx.uris.canonical(uri);
      const max = ctx.maxSubscriptionsPerSession;
      if (!ctx.subscriptions.add(this, canonical, uri, max)) {
        throw new McpError(
          ErrorCode.InvalidParams,
          `This session already subscribes to ${max} resources: unsubscribe from some first.`,
        );
      }
      return {};
    });
    inner.setRequestHandler(UnsubscribeRequestSchema, (request) => {
      this.#assertServing();
      ctx.subscriptions.remove(this, ctx.uris.canonical(request.params.uri));
      return {};
    });
    // Whatever onclose the application sets, before or after attach, runs first; then the
    // session detaches.
    chainOnClose(inner, () => this.detach());
  }

  /** True once the server closed (or `detach()` was called): no more notifications. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The canonical URIs this session subscribes to. */
  get subscriptions(): ReadonlySet<string> {
    return this.#ctx.subscriptions.urisOf(this);
  }

  /**
   * Registers a resource (fixed URI) or resource template whose reads go through the cache:
   * cache-aside keyed by the canonical URI (+ principal for `scope: 'private'`), with the policy
   * and tags of `options`. Thrown reads and `isError` results are never cached. `metadata` and
   * `read` are exactly the SDK's `registerResource` arguments. Also accepts a definition made once
   * per process by `hub.resource(...)` (same arguments), which lets the hub canonicalise the
   * resource's URIs before any session registered it.
   */
  resource(definition: FixedResourceDefinition): RegisteredResource;
  resource(definition: TemplateResourceDefinition): RegisteredResourceTemplate;
  resource(
    name: string,
    uri: string,
    metadata: ResourceMetadata,
    read: ReadResourceCallback,
    options?: ResourceCacheOptions,
  ): RegisteredResource;
  resource(
    name: string,
    template: ResourceTemplate,
    metadata: ResourceMetadata,
    read: ReadResourceTemplateCallback,
    options?: ResourceCacheOptions,
  ): RegisteredResourceTemplate;
  resource(
    nameOrDefinition: string | ResourceDefinition,
    uriOrTemplate?: string | ResourceTemplate,
    metadata?: ResourceMetadata,
    read?: ReadResourceCallback | ReadResourceTemplateCallback,
    options: ResourceCacheOptions = {},
  ): RegisteredResource | RegisteredResourceTemplate {
    this.#ctx.assertOpen('session.resource');
    const definition =
      typeof nameOrDefinition === 'string'
        ? defineResource(
            this.#ctx,
            nameOrDefinition,
            uriOrTemplate as string | ResourceTemplate,
            metadata as ResourceMetadata,
            read as ReadResourceCallback | ReadResourceTemplateCallback,
            options,
          )
        : nameOrDefinition;
    return registerDefinition(this.#ctx, this.server, definition);
  }

  /**
   * Registers a tool (`config` and `handler` as for the SDK's `registerTool`), with an input size
   * limit, and either `cache` (read-only idempotent tools: results keyed by a stable hash of the
   * validated input; `isError` results never cached) or `invalidates` (mutating tools: after a
   * successful call, the tags and URIs are invalidated and the URIs' subscribers notified).
   */
  tool<
    OutputArgs extends ZodRawShapeCompat | AnySchema,
    InputArgs extends undefined | ZodRawShapeCompat | AnySchema = undefined,
  >(
    name: string,
    config: ToolConfig<InputArgs, OutputArgs>,
    handler: ToolCallback<InputArgs>,
    options: ToolOptions<ToolInput<InputArgs>> = {},
  ): RegisteredTool {
    this.#ctx.assertOpen('session.tool');
    assertToolOptions(name, options as ToolOptions<never>);
    const wrapped = wrapTool(this.#ctx, name, config.inputSchema !== undefined, handler, options);
    return this.server.registerTool(name, config, wrapped);
  }

  /** Sends `notifications/resources/updated` for `uri` to this session. */
  async sendUpdated(uri: string): Promise<void> {
    if (this.#closed) return;
    await this.server.server.sendResourceUpdated({ uri });
  }

  /** Sends `notifications/resources/list_changed` to this session. */
  async sendListChanged(): Promise<void> {
    if (this.#closed) return;
    await this.server.server.sendResourceListChanged();
  }

  /**
   * Forgets this session's subscriptions and stops notifying it. Called when the server's
   * connection closes; idempotent. The server itself is not closed (it is yours).
   */
  detach(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#ctx.detached(this);
  }

  #assertServing(): void {
    if (this.#closed) {
      throw new McpError(ErrorCode.InvalidRequest, 'This session is closed.');
    }
    try {
      this.#ctx.assertOpen('resources/subscribe');
    } catch {
      throw new McpError(ErrorCode.InternalError, 'The server is shutting down: try again later.');
    }
  }
}

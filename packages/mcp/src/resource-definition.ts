import type {
  McpServer,
  ReadResourceCallback,
  ReadResourceTemplateCallback,
  RegisteredResource,
  RegisteredResourceTemplate,
  ResourceMetadata,
  ResourceTemplate,
} from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  cachedFixedRead,
  cachedTemplate,
  cachedTemplateRead,
  type ResourceCacheOptions,
} from './cached-resource.js';
import type { HubContext } from './context.js';
import { assertCacheSettings } from './scope.js';

/** A cached resource with a fixed URI, defined once per process by `hub.resource(...)`. */
export interface FixedResourceDefinition {
  readonly kind: 'fixed';
  readonly name: string;
  readonly uri: string;
  readonly metadata: ResourceMetadata;
  readonly read: ReadResourceCallback;
  readonly options: ResourceCacheOptions;
}

/** A cached resource template, defined once per process by `hub.resource(...)`. */
export interface TemplateResourceDefinition {
  readonly kind: 'template';
  readonly name: string;
  readonly template: ResourceTemplate;
  readonly metadata: ResourceMetadata;
  readonly read: ReadResourceTemplateCallback;
  readonly options: ResourceCacheOptions;
}

/** What `hub.resource(...)` returns and `session.resource(definition)` registers. */
export type ResourceDefinition = FixedResourceDefinition | TemplateResourceDefinition;

/**
 * Checks a resource's options and adds its URI or template (with its validators) to the hub's
 * registry, so the hub canonicalises its URIs whether or not a session registered it yet.
 */
export function defineResource(
  ctx: HubContext,
  name: string,
  uriOrTemplate: string | ResourceTemplate,
  metadata: ResourceMetadata,
  read: ReadResourceCallback | ReadResourceTemplateCallback,
  options: ResourceCacheOptions,
): ResourceDefinition {
  assertCacheSettings(options, `resource "${name}"`);
  if (typeof uriOrTemplate === 'string') {
    ctx.uris.addFixed(uriOrTemplate);
    const fixedRead = read as ReadResourceCallback;
    return Object.freeze({
      kind: 'fixed',
      name,
      uri: uriOrTemplate,
      metadata,
      read: fixedRead,
      options,
    });
  }
  ctx.uris.addTemplate(uriOrTemplate.uriTemplate, options.variables ?? {});
  return Object.freeze({
    kind: 'template',
    name,
    template: uriOrTemplate,
    metadata,
    read: read as ReadResourceTemplateCallback,
    options,
  });
}

/** Registers a definition on one session's server, its reads going through the cache. */
export function registerDefinition(
  ctx: HubContext,
  server: McpServer,
  definition: ResourceDefinition,
): RegisteredResource | RegisteredResourceTemplate {
  // A definition of another hub (or of a session): this hub learns it too.
  if (definition.kind === 'fixed') {
    ctx.uris.addFixed(definition.uri);
    return server.registerResource(
      definition.name,
      definition.uri,
      definition.metadata,
      cachedFixedRead(ctx, definition.read, definition.options),
    );
  }
  const { template, options } = definition;
  ctx.uris.addTemplate(template.uriTemplate, options.variables ?? {});
  return server.registerResource(
    definition.name,
    cachedTemplate(ctx, template, options),
    definition.metadata,
    cachedTemplateRead(ctx, template, definition.read, options),
  );
}

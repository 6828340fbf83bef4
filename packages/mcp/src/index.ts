export type { ResourceCacheOptions } from './cached-resource.js';
export type { ToolCacheOptions, ToolInput, ToolInvalidation, ToolOptions } from './cached-tool.js';
export { canonicalJson, stableHash } from './canonical-json.js';
export {
  McpCapabilityError,
  McpInvalidationError,
  McpNotifyError,
  McpSessionError,
  UnhashableInputError,
} from './errors.js';
export * from './event-store/index.js';
export { createMcpHub, McpHub, type McpHubStats } from './hub.js';
export type { McpHubOptions } from './options.js';
export type {
  FixedResourceDefinition,
  ResourceDefinition,
  TemplateResourceDefinition,
} from './resource-definition.js';
export { tokenPrincipal } from './scope.js';
export { McpSession, type ToolConfig } from './session.js';
export type {
  CacheSettings,
  McpExtra,
  Principal,
  Scope,
  Variables,
  VariableValidator,
} from './types.js';

import { CacheError } from '@cachekit/core';

/**
 * `hub.attach(server)` was given an `McpServer` that cannot serve subscriptions: it was created
 * without `capabilities.resources.subscribe` (capabilities cannot be added after `connect`).
 */
export class McpCapabilityError extends CacheError {
  static readonly code = 'E_MCP_CAPABILITY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(McpCapabilityError.code, message, options);
  }
}

/** A server was attached twice, or a session was used after its hub closed or its server closed. */
export class McpSessionError extends CacheError {
  static readonly code = 'E_MCP_SESSION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(McpSessionError.code, message, options);
  }
}

/** A `resources/updated` or `list_changed` notification could not be sent to one session. */
export class McpNotifyError extends CacheError {
  static readonly code = 'E_MCP_NOTIFY';
  constructor(message: string, options?: { cause?: unknown }) {
    super(McpNotifyError.code, message, options);
  }
}

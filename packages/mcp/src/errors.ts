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

/**
 * A value has no stable JSON form, so it cannot key a cache entry: it holds a `Map`, a `Set`, a
 * class instance without `toJSON`, a typed array or a cycle (JSON would write most of them as
 * `{}`, and different inputs would share one entry). A cached tool whose input holds one runs
 * uncached and reports this to `onError` once.
 */
export class UnhashableInputError extends CacheError {
  static readonly code = 'E_MCP_UNHASHABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(UnhashableInputError.code, message, options);
  }
}

/**
 * A mutating tool succeeded but invalidating what it changed failed (reported to `onError`; the
 * subscribers were still notified, and the tool result tells the client not to call it again).
 */
export class McpInvalidationError extends CacheError {
  static readonly code = 'E_MCP_INVALIDATION';
  constructor(message: string, options?: { cause?: unknown }) {
    super(McpInvalidationError.code, message, options);
  }
}

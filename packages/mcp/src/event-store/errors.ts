import { CacheError } from '@cachekit/core';

/**
 * A `Last-Event-ID` the event store cannot resume from: malformed, issued to another session, or
 * followed by events that were trimmed (`maxLength`, `maxAge`) or expired, so a replay would skip
 * them.
 * The SDK transport catches it, reports it through `transport.onerror` and answers the GET with
 * HTTP 500 (`Error replaying events`); nothing is replayed and the server keeps serving. The client
 * should reconnect without `Last-Event-ID` (it then starts a fresh stream) and re-read what it
 * follows.
 */
export class InvalidEventIdError extends CacheError {
  static readonly code = 'E_MCP_EVENT_ID';
  constructor(message: string, options?: { cause?: unknown }) {
    super(InvalidEventIdError.code, message, options);
  }
}

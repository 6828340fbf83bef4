import { CacheError, HandlerError, TransportError } from '@cachekit/core';

// The classes live in core's `errors` map; pubsub re-exports them for convenience.
export { HandlerError, TransportError };

/** Wraps anything a transport threw into a `TransportError`, keeping typed cachekit errors. */
export function toTransportError(error: unknown, transport: string, operation: string): CacheError {
  if (error instanceof CacheError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new TransportError(`Transport "${transport}" failed to ${operation}: ${detail}`, {
    cause: error,
  });
}

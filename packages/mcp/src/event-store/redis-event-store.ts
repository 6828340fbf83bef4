import { randomUUID } from 'node:crypto';
import { StoreError } from '@cachekit/core';
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { defineAppendEvent } from './append-script.js';
import { InvalidEventIdError } from './errors.js';
import { formatEventId, parseEventId } from './event-ids.js';
import { streamKey } from './keys.js';
import { type RedisEventStoreOptions, resolveOptions } from './options.js';
import { replayEntries } from './replay.js';

/** A Redis Streams event store shared by every session of a process (and of other processes). */
export interface RedisEventStore {
  /**
   * The SDK `EventStore` for one `StreamableHTTPServerTransport`. `sessionId` is read on every
   * call (the transport learns its id during `initialize`); while it is `undefined` (stateless
   * mode) the events go to a scope private to this call.
   */
  forTransport(sessionId: () => string | undefined): EventStore;
  /** The Redis key of one stream of one session, e.g. to inspect it with `XRANGE`. */
  key(sessionId: string, streamId: string): string;
  /** The resolved settings. */
  readonly prefix: string;
  readonly maxLength: number;
  readonly maxAgeMs: number;
}

/**
 * Streamable HTTP resumability backed by Redis Streams: one stream per MCP session and SSE stream,
 * keys `{<prefix>:<session>}:<stream>`, event ids `<session>.<stream>.<entry id>`. A replay sends
 * only the presenting session's events after the given id; another session's id is refused.
 *
 * ```ts
 * const events = redisEventStore({ client: redis, maxAge: '1h' });
 * const transport = new StreamableHTTPServerTransport({
 *   sessionIdGenerator: () => randomUUID(),
 *   eventStore: events.forTransport(() => transport.sessionId),
 * });
 * ```
 */
export function redisEventStore(options: RedisEventStoreOptions): RedisEventStore {
  const { client, prefix, maxLength, maxAgeMs, onError } = resolveOptions(options);
  const append = defineAppendEvent(client);

  function forTransport(sessionId: () => string | undefined): EventStore {
    const stateless = `stateless-${randomUUID()}`;
    const scope = (): string => sessionId() ?? stateless;

    async function storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
      const session = scope();
      const key = streamKey(prefix, session, streamId);
      try {
        // The SDK stores priming events as `{}`: kept (their id is a cursor), never replayed.
        const payload = Object.keys(message).length === 0 ? '' : JSON.stringify(message);
        const entryId = await append(key, maxLength, maxAgeMs, payload);
        return formatEventId(session, streamId, entryId);
      } catch (cause) {
        onError(
          new StoreError(
            `Storing an MCP event in ${key} failed: it is sent without an event id and cannot be ` +
              'replayed. Check the Redis connection.',
            { cause },
          ),
        );
        // An empty id makes the SDK send the message live without an `id:` line.
        return '';
      }
    }

    async function replayEventsAfter(
      lastEventId: string,
      { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
    ): Promise<string> {
      const parsed = parseEventId(lastEventId);
      if (parsed === undefined) {
        throw new InvalidEventIdError(
          `Last-Event-ID ${JSON.stringify(lastEventId.slice(0, 120))} was not issued by ` +
            'redisEventStore: reconnect without Last-Event-ID.',
        );
      }
      const session = scope();
      if (parsed.sessionId !== session) {
        throw new InvalidEventIdError(
          'Last-Event-ID belongs to another MCP session: nothing is replayed. Resume with an id ' +
            'this session issued, or reconnect without Last-Event-ID.',
        );
      }
      const { streamId } = parsed;
      const key = streamKey(prefix, session, streamId);
      try {
        await replayEntries({
          client,
          key,
          after: parsed,
          maxAgeMs,
          send: (entryId, message) => send(formatEventId(session, streamId, entryId), message),
          onCorrupt: onError,
        });
      } catch (cause) {
        if (cause instanceof InvalidEventIdError) throw cause;
        throw new StoreError(`Replaying MCP events from ${key} failed: the client may retry.`, {
          cause,
        });
      }
      return streamId;
    }

    // No `getStreamIdForEventId` on purpose: with it, the SDK answers 409 to a resume while it
    // still holds the dropped predecessor stream (a half-open socket, until a keep-alive write
    // fails); without it, the SDK closes the predecessor and serves the resume.
    return { storeEvent, replayEventsAfter };
  }

  return {
    forTransport,
    key: (sessionId, streamId) => streamKey(prefix, sessionId, streamId),
    prefix,
    maxLength,
    maxAgeMs,
  };
}

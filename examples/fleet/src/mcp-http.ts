import { randomUUID } from 'node:crypto';
import { redisEventStore } from '@cachekit/mcp';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';

/** Options of {@link mcpRoutes}. */
export interface McpHttpOptions {
  /** A new MCP server (one per session), attached to the app's hub. */
  readonly createServer: () => McpServer;
  /**
   * Redis for the resumability event store (`redisEventStore` of `@cachekit/mcp`, keys under
   * `<prefix>:mcp:events`): a client reconnecting with `Last-Event-ID` gets its session's missed
   * messages. None: no event store (the SDK's default: no resumability).
   */
  readonly redis: Redis | undefined;
  /** The fleet's key prefix. */
  readonly prefix: string;
  /** Told when an event cannot be stored or replayed (it is still delivered live). */
  readonly onStoreError: (error: Error) => void;
}

/** The `/mcp` endpoint's sessions. */
export interface McpHttp {
  /** Sessions open on this instance. */
  readonly sessions: number;
  /** Adds the `/mcp` route to `app`. */
  register(app: FastifyInstance): void;
  /** Closes every session (their event streams end); for shutdown. */
  closeAll(): Promise<void>;
}

interface Session {
  readonly server: McpServer;
  readonly transport: StreamableHTTPServerTransport;
}

/** A JSON-RPC error answered without a session (the transport never saw the request). */
function refuse(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .send({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
}

/**
 * MCP over Streamable HTTP at `/mcp`: POST (requests), GET (the session's notification stream),
 * DELETE (ends the session). An `initialize` POST without a session id opens a session: its own
 * `McpServer` and transport, kept by session id until DELETE, a closed transport or shutdown.
 */
export function mcpHttp(options: McpHttpOptions): McpHttp {
  const sessions = new Map<string, Session>();
  const store =
    options.redis === undefined
      ? undefined
      : redisEventStore({
          client: options.redis,
          prefix: `${options.prefix}:mcp:events`,
          onError: options.onStoreError,
        });

  const open = async (): Promise<Session> => {
    const server = options.createServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      ...(store === undefined ? {} : { eventStore: store.forTransport(() => transport.sessionId) }),
      onsessioninitialized: (id) => {
        sessions.set(id, session);
      },
    });
    const session: Session = { server, transport };
    // Chained by `connect`: runs on DELETE, on close() and at shutdown.
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return session;
  };

  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const header = request.headers['mcp-session-id'];
    const id = Array.isArray(header) ? header[0] : header;
    let session = id === undefined ? undefined : sessions.get(id);
    if (session === undefined) {
      if (id !== undefined) {
        return refuse(
          reply,
          404,
          `No MCP session ${id} here (ended or unknown): initialize again.`,
        );
      }
      if (request.method !== 'POST' || !isInitializeRequest(request.body)) {
        return refuse(
          reply,
          400,
          'No mcp-session-id header: start a session with an initialize request (POST).',
        );
      }
      session = await open();
    }
    reply.hijack();
    try {
      await session.transport.handleRequest(request.raw, reply.raw, request.body);
    } catch (error) {
      request.log.error({ err: error }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({
            jsonrpc: '2.0',
            error: { code: -32603, message: 'Internal error' },
            id: null,
          }),
        );
      }
    }
    return reply;
  };

  return {
    register(app) {
      app.route({ method: ['GET', 'POST', 'DELETE'], url: '/mcp', handler: handle });
    },
    get sessions() {
      return sessions.size;
    },
    async closeAll() {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.all(open.map((session) => session.server.close().catch(() => undefined)));
    },
  };
}

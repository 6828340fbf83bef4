import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  type EventStore,
  StreamableHTTPServerTransport,
} from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidEventIdError, redisEventStore } from '../src/event-store/index.js';

/** One MCP session on the test server: its SDK server, transport and what it stored. */
interface ServerSession {
  readonly mcp: McpServer;
  readonly transport: StreamableHTTPServerTransport;
  /** Event ids the store returned, in order. */
  readonly storedIds: string[];
  readonly errors: Error[];
  /** The open standalone GET stream, to break it. */
  getResponse?: ServerResponse;
}

/** A Streamable HTTP MCP server on node:http whose transports use one Redis event store. */
class TestServer {
  readonly sessions = new Map<string, ServerSession>();
  /** `Last-Event-ID` of every resuming GET, in arrival order. */
  readonly resumes: string[] = [];
  /** While set, resuming GETs wait for it before the transport sees them. */
  holdResumes: Promise<void> | undefined;
  private readonly http: Server;
  url = '';

  constructor(private readonly store: ReturnType<typeof redisEventStore>) {
    this.http = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    const { port } = this.http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/mcp`;
  }

  async close(): Promise<void> {
    await Promise.all([...this.sessions.values()].map(({ mcp }) => mcp.close()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** Sends a logging notification on the session's standalone stream (stored before sending). */
  notify(sessionId: string, data: string): Promise<void> {
    return this.session(sessionId).mcp.server.notification({
      method: 'notifications/message',
      params: { level: 'info', data },
    });
  }

  session(sessionId: string): ServerSession {
    const session = this.sessions.get(sessionId);
    if (session === undefined) throw new Error(`no session ${sessionId}`);
    return session;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId !== 'string') {
      await this.open().handleRequest(req, res);
      return;
    }
    const session = this.session(sessionId);
    const lastEventId = req.headers['last-event-id'];
    if (req.method === 'GET' && typeof lastEventId === 'string') {
      this.resumes.push(lastEventId);
      await this.holdResumes;
    } else if (req.method === 'GET') {
      session.getResponse = res;
    }
    await session.transport.handleRequest(req, res);
  }

  /** A new session: its own McpServer and transport, the shared store scoped to it. */
  private open(): StreamableHTTPServerTransport {
    const mcp = new McpServer(
      { name: 'event-store-test', version: '1.0.0' },
      { capabilities: { logging: {} } },
    );
    const storedIds: string[] = [];
    const errors: Error[] = [];
    const scoped = this.store.forTransport(() => transport.sessionId);
    const recording: EventStore = {
      storeEvent: async (streamId, message) => {
        const id = await scoped.storeEvent(streamId, message);
        storedIds.push(id);
        return id;
      },
      replayEventsAfter: (lastEventId, options) => scoped.replayEventsAfter(lastEventId, options),
    };
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      eventStore: recording,
      onsessioninitialized: (id) => {
        this.sessions.set(id, { mcp, transport, storedIds, errors });
      },
    });
    transport.onerror = (error) => void errors.push(error);
    void mcp.connect(transport);
    return transport;
  }
}

/** A real SDK client that records the logging notifications it receives. */
async function connectClient(url: string): Promise<{
  client: Client;
  transport: StreamableHTTPClientTransport;
  received: unknown[];
}> {
  const client = new Client({ name: 'event-store-test-client', version: '1.0.0' });
  const received: unknown[] = [];
  client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
    received.push(notification.params.data);
  });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    reconnectionOptions: {
      initialReconnectionDelay: 10,
      maxReconnectionDelay: 50,
      reconnectionDelayGrowFactor: 1,
      maxRetries: 20,
    },
  });
  await client.connect(transport);
  return { client, transport, received };
}

describe('redisEventStore behind a real Streamable HTTP server', () => {
  const { host, port } = redisFromInject().standalone;
  const redis = new Redis({ host, port } as never);
  const store = redisEventStore({ client: redis, prefix: `test:mcp-http:${randomUUID()}` });
  const server = new TestServer(store);
  const clients: Client[] = [];

  beforeAll(() => server.listen());
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    await redis.quit();
  });

  /** Connects a client and waits until the server holds its standalone GET stream. */
  async function connected() {
    const connection = await connectClient(server.url);
    clients.push(connection.client);
    const sessionId = connection.transport.sessionId as string;
    await waitFor(() => server.sessions.get(sessionId)?.getResponse, {
      description: 'the standalone GET stream',
    });
    return { ...connection, sessionId };
  }

  it('a client that drops and reconnects with Last-Event-ID gets exactly its own missed notifications', async () => {
    const a = await connected();
    const b = await connected();

    for (const n of [1, 2, 3]) await server.notify(a.sessionId, `a${n}`);
    await server.notify(b.sessionId, 'b1');
    await waitFor(() => a.received.length === 3 && b.received.length === 1, {
      description: 'the first notifications, live',
    });

    // Break A's standalone stream from the server side; hold its reconnect at the door.
    let release = (): void => {};
    server.holdResumes = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.session(a.sessionId).getResponse?.socket?.destroy();
    await waitFor(() => server.resumes.length === 1, { description: "A's reconnect" });

    // Meanwhile both sessions get notifications; A is not connected to receive them.
    for (const n of [4, 5, 6]) await server.notify(a.sessionId, `a${n}`);
    await server.notify(b.sessionId, 'b2');
    await waitFor(() => b.received.length === 2, { description: "B's live notification" });
    expect(a.received).toEqual(['a1', 'a2', 'a3']);

    // The client resumed from the last event it saw: the id of a3 on A's standalone stream.
    const storedA = server.session(a.sessionId).storedIds;
    expect(server.resumes[0]).toBe(storedA.at(-4));
    expect(server.resumes[0]).toMatch(new RegExp(`^${a.sessionId}\\._GET_stream\\.`));

    release();
    await waitFor(() => a.received.length >= 6, { description: 'the replayed notifications' });
    // The resumed stream is live again.
    await server.notify(a.sessionId, 'a7');
    await waitFor(() => a.received.length >= 7, {
      description: 'a live notification after resume',
    });

    expect(a.received).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7']);
    expect(b.received).toEqual(['b1', 'b2']);
    expect(server.resumes).toHaveLength(1);
    expect(server.session(a.sessionId).errors).toEqual([]);
  });

  it("refuses another session's Last-Event-ID and a malformed one, and keeps serving", async () => {
    const a = await connected();
    const b = await connected();
    await server.notify(b.sessionId, 'b-secret-1');
    await server.notify(b.sessionId, 'b-secret-2');
    await waitFor(() => b.received.length === 2, { description: "B's notifications" });
    const stolenId = server.session(b.sessionId).storedIds.at(-2) as string;
    expect(stolenId.startsWith(`${b.sessionId}.`)).toBe(true);

    for (const lastEventId of [stolenId, 'not-an-event-id']) {
      const response = await fetch(server.url, {
        headers: {
          accept: 'text/event-stream',
          'mcp-session-id': a.sessionId,
          'mcp-protocol-version': a.transport.protocolVersion ?? '',
          'last-event-id': lastEventId,
        },
      });
      const body = await response.text();
      expect(response.status).toBe(500);
      expect(body).not.toContain('b-secret');
    }
    const errors = server.session(a.sessionId).errors;
    expect(errors).toHaveLength(2);
    expect(errors.every((error) => error instanceof InvalidEventIdError)).toBe(true);

    // Session A still works, live notifications included; nothing of B leaked into it.
    await a.client.ping();
    await server.notify(a.sessionId, 'a-after');
    await waitFor(() => a.received.includes('a-after'), { description: 'a live notification' });
    expect(a.received).toEqual(['a-after']);
  });
});

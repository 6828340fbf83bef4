import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  type CallToolResult,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { FleetApp } from '../src/app.js';

/** A real MCP client for a test: the `resources/updated` URIs it received, in order. */
export interface TestClient {
  readonly client: Client;
  readonly updates: string[];
  /** Transport errors seen by the client (a test expects none). */
  readonly errors: Error[];
  close(): Promise<void>;
}

const clients = new Set<TestClient>();

/** Closes every client opened by a test (in `afterEach`, before the apps close). */
export async function closeClients(): Promise<void> {
  await Promise.all([...clients].map((c) => c.close().catch(() => undefined)));
  clients.clear();
}

interface CloseHooks {
  /** Before the client closes (ending the HTTP session with DELETE). */
  before?: () => Promise<void>;
  /** After it closed (closing the in-process server). */
  after?: () => Promise<void>;
}

async function connect(transport: Transport, hooks: CloseHooks): Promise<TestClient> {
  const client = new Client({ name: 'fleet-test', version: '1.0.0' });
  const updates: string[] = [];
  const errors: Error[] = [];
  client.setNotificationHandler(ResourceUpdatedNotificationSchema, (notification) => {
    updates.push(notification.params.uri);
  });
  client.onerror = (error) => errors.push(error);
  await client.connect(transport);
  const opened: TestClient = {
    client,
    updates,
    errors,
    close: async () => {
      clients.delete(opened);
      await hooks.before?.();
      await client.close();
      await hooks.after?.();
    },
  };
  clients.add(opened);
  return opened;
}

/** A client of a new session of `fleet`'s MCP server factory, over the SDK's in-memory transport. */
export async function inProcessClient(fleet: FleetApp): Promise<TestClient> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const server = fleet.mcp.createServer();
  await server.connect(serverSide);
  return connect(clientSide, { after: () => server.close() });
}

/** A client over real Streamable HTTP to `<base>/mcp`. */
export async function httpClient(base: string): Promise<TestClient & { sessionId(): string }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`));
  const opened = await connect(transport, { before: () => transport.terminateSession() });
  return { ...opened, sessionId: () => transport.sessionId ?? '' };
}

/** Reads a resource and parses its JSON text. */
export async function readJson<T>(client: TestClient, uri: string): Promise<T> {
  const result = await client.client.readResource({ uri });
  const [content] = result.contents;
  if (content === undefined || !('text' in content)) throw new Error(`${uri}: no text contents`);
  return JSON.parse(content.text) as T;
}

/** Calls a tool; resolves to its result. */
export async function callTool(
  client: TestClient,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult> {
  return (await client.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The text of a tool result's first content. */
export function toolText(result: CallToolResult): string {
  const [first] = result.content;
  return first?.type === 'text' ? first.text : '';
}

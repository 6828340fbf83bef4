import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { FleetApp } from './app.js';

/** The stdio session: closing it stops reading stdin, so the process can exit. */
export interface StdioSession {
  close(): Promise<void>;
}

/**
 * Serves one MCP session over this process's stdin/stdout (`--stdio`): the MCP client that
 * started the process is its only client. `onEnd` runs once, when stdin ends (the client closed
 * it) or the transport closes.
 */
export async function serveStdio(fleet: FleetApp, onEnd: () => void): Promise<StdioSession> {
  const server = fleet.mcp.createServer();
  const transport = new StdioServerTransport();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  transport.onclose = end;
  process.stdin.once('end', end);
  await server.connect(transport);
  return {
    close: async () => {
      ended = true;
      process.stdin.off('end', end);
      await server.close();
      process.stdin.destroy();
    },
  };
}

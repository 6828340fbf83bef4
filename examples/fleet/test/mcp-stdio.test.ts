import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@cachekit/redis-testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { MinerConfig } from '../src/fleet-model.js';
import { configUri, SUMMARY_URI } from '../src/mcp-uris.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

let transport: StdioClientTransport | undefined;
afterEach(async () => {
  await transport?.close();
  transport = undefined;
});

describe('node dist/main.js --stdio', () => {
  it('serves MCP on stdin/stdout (logs on stderr only) and exits when the client closes', async () => {
    expect(existsSync(entry), 'examples/fleet is not built: run `npm test` (it builds first)').toBe(
      true,
    );
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [entry, '--stdio'],
      cwd: exampleDir,
      env: {
        ...(process.env as Record<string, string>),
        REDIS_URL: '',
        FLEET_MINERS: '8',
        FLEET_SOURCE_LATENCY_MS: '1',
        FLEET_TICK_MS: '0',
        LOG_LEVEL: 'info',
      },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const client = new Client({ name: 'fleet-stdio-test', version: '1.0.0' });
    const errors: Error[] = [];
    client.onerror = (error) => errors.push(error);
    await client.connect(transport);
    const pid = transport.pid;
    expect(pid).not.toBeNull();

    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([SUMMARY_URI, configUri('m-008')]),
    );
    const read = await client.readResource({ uri: configUri('m-008') });
    const [content] = read.contents;
    const config = JSON.parse(content !== undefined && 'text' in content ? content.text : '');
    expect(config as MinerConfig).toMatchObject({ poolUrl: expect.stringMatching(/^stratum/) });
    // Requests were logged (LOG_LEVEL=info): on stderr, never mixed into the MCP stream.
    expect(stderr).toMatch(/serving MCP on stdio/);
    expect(errors).toEqual([]);

    await client.close();
    transport = undefined;
    await waitFor(() => /stdin closed: closing[\s\S]*\bclosed\b/.test(stderr), {
      description: `the demo closing on stdin's end (stderr: ${stderr})`,
    });
    await waitFor(
      () => {
        try {
          process.kill(pid as number, 0);
          return false;
        } catch {
          return true;
        }
      },
      { description: 'the process to exit' },
    );
    expect(stderr).not.toMatch(/SIGTERM/);
  }, 30_000);
});

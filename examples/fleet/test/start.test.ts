import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@cachekit/redis-testkit';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { stateKeys } from '../src/redis-state.js';
import { oneService } from './helpers.js';

const exampleDir = fileURLToPath(new URL('..', import.meta.url));
const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  children.clear();
});

/** Runs `node dist/main.js` as `npm start` does, on a free port; resolves once it logs its URL. */
async function start(env: Record<string, string>): Promise<Started> {
  expect(existsSync(entry), 'examples/fleet is not built: run `npm test` (it builds first)').toBe(
    true,
  );
  const child = spawn(process.execPath, [entry], {
    cwd: exampleDir,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', FLEET_MINERS: '20', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}:\n${output}`);
      return /listening on (http:\/\/\S+)/.exec(output)?.[1];
    },
    { timeoutMs: 15_000, description: `the fleet demo's "listening on" line (output: ${output})` },
  );
  return { child, url, output: () => output, exited };
}

async function get(url: string): Promise<Response> {
  const response = await fetch(url);
  expect(response.status, url).toBe(200);
  return response;
}

describe('npm start (the built dist/main.js)', () => {
  it('serves the demo on the memory store and exits 0 on SIGTERM', async () => {
    const demo = await start({ REDIS_URL: '' });
    expect(demo.output()).toMatch(/in-memory store/);
    expect(await (await get(`${demo.url}/`)).text()).toMatch(/<title>cachekit · fleet<\/title>/);
    const miners = (await (await get(`${demo.url}/miners`)).json()) as { miners: unknown[] };
    expect(miners.miners).toHaveLength(20);
    expect((await get(`${demo.url}/miners/m-001/status`)).headers.get('x-cache')).toBe('MISS');
    expect((await get(`${demo.url}/miners/m-001/status`)).headers.get('x-cache')).toBe('HIT');
    expect(await (await get(`${demo.url}/metrics`)).text()).toMatch(/cachekit_hits_total/);
    // An open event stream must not hold the shutdown up.
    const stream = await fetch(`${demo.url}/fleet/stream`);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    demo.child.kill('SIGTERM');
    expect(await demo.exited).toBe(0);
    expect(demo.output()).toMatch(/SIGTERM: closing/);
    await stream.body?.cancel().catch(() => undefined);
  }, 30_000);

  it('runs on Redis with REDIS_URL, and quits its connections on SIGINT', async () => {
    const service = oneService(redisFromInject().standalone.url);
    const demo = await start({
      REDIS_URL: service.redisUrl as string,
      FLEET_PREFIX: service.prefix as string,
      FLEET_CACHE_NAMESPACE: service.namespace as string,
      FLEET_TICK_MS: '100',
    });
    try {
      expect(demo.output()).toMatch(/\(Redis at redis:\/\//);
      expect((await get(`${demo.url}/fleet/summary`)).headers.get('x-cache')).toBe('MISS');
      demo.child.kill('SIGINT');
      expect(await demo.exited).toBe(0);
    } finally {
      const client = new Redis(service.redisUrl as string);
      await client.del(...Object.values(stateKeys(service.prefix as string)));
      await client.quit();
    }
  }, 30_000);

  it('refuses a bad setting with a message naming it, and exits 1', async () => {
    const child = spawn(process.execPath, [entry], {
      cwd: exampleDir,
      env: { ...process.env, REDIS_URL: '', FLEET_MINERS: 'lots' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/FLEET_MINERS must be an integer/);
  });
});

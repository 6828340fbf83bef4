import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  RedisCommandTimeoutError,
  type RedisServerHandle,
  sendCommand,
  startRedisServer,
  waitFor,
} from '../src/index.js';
import { isAlive } from './helpers.js';

const started: RedisServerHandle[] = [];
async function start(...args: Parameters<typeof startRedisServer>): Promise<RedisServerHandle> {
  const server = await startRedisServer(...args);
  started.push(server);
  return server;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.stop()));
});

describe('startRedisServer', () => {
  it('starts a server on a free port that answers PING', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.running).toBe(true);
    expect(isAlive(server.pid)).toBe(true);
    await expect(sendCommand(server, ['PING'])).resolves.toBe('PONG');
    await expect(sendCommand(server, ['SET', 'k', 'v'])).resolves.toBe('OK');
    await expect(sendCommand(server, ['GET', 'k'])).resolves.toBe('v');
  });

  it('runs without persistence and with DEBUG enabled', async () => {
    const server = await start();
    await expect(sendCommand(server, ['CONFIG', 'GET', 'save'])).resolves.toEqual(['save', '']);
    await expect(sendCommand(server, ['CONFIG', 'GET', 'appendonly'])).resolves.toEqual([
      'appendonly',
      'no',
    ]);
    await expect(sendCommand(server, ['DEBUG', 'SLEEP', '0'])).resolves.toBe('OK');
  });

  it('passes extra arguments to redis-server', async () => {
    const server = await start({ args: ['--maxmemory', '10mb'] });
    await expect(sendCommand(server, ['CONFIG', 'GET', 'maxmemory'])).resolves.toEqual([
      'maxmemory',
      String(10 * 1024 * 1024),
    ]);
  });

  it('gives servers started together different ports', async () => {
    const servers = await Promise.all([start(), start(), start()]);
    expect(new Set(servers.map((s) => s.port)).size).toBe(3);
  });

  it('pause() makes commands time out and resume() brings the server back', async () => {
    const server = await start();
    server.pause();
    expect(server.paused).toBe(true);
    await expect(sendCommand(server, ['PING'], { timeoutMs: 300 })).rejects.toBeInstanceOf(
      RedisCommandTimeoutError,
    );
    server.resume();
    expect(server.paused).toBe(false);
    await expect(sendCommand(server, ['PING'], { timeoutMs: 2000 })).resolves.toBe('PONG');
  });

  it('kill() ends the process and restart() brings a new one up on the same port', async () => {
    const server = await start();
    const { port, pid } = server;
    await sendCommand(server, ['SET', 'k', 'v']);
    await server.kill();
    expect(server.running).toBe(false);
    expect(isAlive(pid)).toBe(false);
    await expect(sendCommand(server, ['PING'], { timeoutMs: 500 })).rejects.toThrow();

    await server.restart();
    expect(server.running).toBe(true);
    expect(server.port).toBe(port);
    expect(server.pid).not.toBe(pid);
    await expect(sendCommand(server, ['PING'])).resolves.toBe('PONG');
    // No persistence: the restarted server starts empty.
    await expect(sendCommand(server, ['GET', 'k'])).resolves.toBeNull();
  });

  it('stop() ends the process, removes its dir and can be called twice', async () => {
    const server = await start();
    const pid = server.pid;
    const [, dir = ''] = (await sendCommand(server, ['CONFIG', 'GET', 'dir'])) as string[];
    expect(existsSync(dir)).toBe(true);
    await server.stop();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    await server.stop();
  });

  it('stop() also ends a paused server', async () => {
    const server = await start();
    const pid = server.pid;
    server.pause();
    await server.stop();
    expect(isAlive(pid)).toBe(false);
  });

  it('restart() after stop() serves on the same port again', async () => {
    const server = await start();
    const port = server.port;
    await server.stop();
    await server.restart();
    expect(server.port).toBe(port);
    await waitFor(async () => (await sendCommand(server, ['PING'])) === 'PONG', {
      timeoutMs: 5000,
    });
  });

  it('rejects with the server output when redis-server refuses its arguments', async () => {
    await expect(startRedisServer({ args: ['--no-such-option', 'x'] })).rejects.toThrow(
      /did not start[\s\S]*no-such-option/i,
    );
  });
});

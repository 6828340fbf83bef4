import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestProject } from 'vitest/node';
import { parseClusterNodes, parseRedisUrl } from '../src/index.js';

describe('parseRedisUrl', () => {
  it('reads host, port and keeps the url', () => {
    expect(parseRedisUrl('redis://10.1.2.3:7000/2')).toEqual({
      host: '10.1.2.3',
      port: 7000,
      url: 'redis://10.1.2.3:7000/2',
    });
    expect(parseRedisUrl('redis://:secret@localhost')).toMatchObject({
      host: 'localhost',
      port: 6379,
    });
  });

  it('refuses what is not a redis url', () => {
    expect(() => parseRedisUrl('localhost:6379')).toThrow(/redis:\/\//);
    expect(() => parseRedisUrl('http://localhost:6379')).toThrow(/redis:\/\//);
  });
});

describe('parseClusterNodes', () => {
  it('reads a comma list of host:port', () => {
    expect(parseClusterNodes('127.0.0.1:7000, 127.0.0.1:7001,')).toEqual([
      { host: '127.0.0.1', port: 7000 },
      { host: '127.0.0.1', port: 7001 },
    ]);
  });

  it('refuses entries without a port', () => {
    expect(() => parseClusterNodes('127.0.0.1')).toThrow(/host:port/);
    expect(() => parseClusterNodes(' , ')).toThrow(/lists no host:port/);
  });
});

describe('global setup without Redis', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('fails at once with install instructions when redis-server is missing', async () => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'cachekit-nopath-'));
    try {
      vi.stubEnv('PATH', emptyDir);
      vi.stubEnv('REDIS_URL', '');
      vi.stubEnv('REDIS_CLUSTER_NODES', '');
      const { default: setup } = await import('../src/global-setup.js');
      const provide = vi.fn();
      const project = { provide } as unknown as TestProject;
      await expect(setup(project)).rejects.toThrow(
        /redis-server[\s\S]*apt-get install redis-server[\s\S]*brew install redis[\s\S]*REDIS_URL/,
      );
      expect(provide).not.toHaveBeenCalled();
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });
});

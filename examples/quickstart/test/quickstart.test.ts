import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ioredisStore } from '@cachekit/ioredis';
import { redisFromInject } from '@cachekit/redis-testkit/vitest';
import { describe, expect, it } from 'vitest';
import { runQuickstart } from '../src/quickstart.js';

const run = promisify(execFile);
const exampleDir = fileURLToPath(new URL('..', import.meta.url));

function expectStory(report: Awaited<ReturnType<typeof runQuickstart>>): void {
  expect(report.sourceCalls.status).toBe(2); // m-1 once, m-2 once for 100 concurrent readers
  expect(report.sourceCalls.writeConfig).toBe(1);
  expect(report.sourceCalls.summary).toBe(2); // recomputed after the cascade
  expect(report.summaryAfter.totalPowerWatts).toBe(report.summaryBefore.totalPowerWatts - 450);
  expect(report.configAfter.powerTargetWatts).toBe(2800);
  expect(report.warmMs).toBeLessThan(report.coldMs);
  expect(report.hits).toBeGreaterThan(0);
  expect(report.misses).toBeGreaterThan(0);
}

describe('quickstart', () => {
  it('tells its story on the memory store', async () => {
    expectStory(await runQuickstart({ latencyMs: 20 }));
  });

  it('tells the same story on Redis', async () => {
    const store = ioredisStore({ redis: redisFromInject().standalone.url });
    try {
      expectStory(await runQuickstart({ store, latencyMs: 20 }));
    } finally {
      await store.close();
    }
  });

  it('runs as `npm start` does, from the build, and the build loads with import and require', async () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(
      existsSync(entry),
      'examples/quickstart is not built: run `npm test` (it builds first)',
    ).toBe(true);
    const { stdout } = await run(process.execPath, [entry], {
      cwd: exampleDir,
      env: { ...process.env, REDIS_URL: '' },
    });
    expect(stdout).toMatch(/in-memory store/);
    expect(stdout).toMatch(/100 concurrent reads of m-2 -> 1 source call/);
    const withRedis = await run(process.execPath, [entry], {
      cwd: exampleDir,
      env: { ...process.env, REDIS_URL: redisFromInject().standalone.url },
    });
    expect(withRedis.stdout).toMatch(/on Redis at redis:\/\//);
    for (const specifier of ['@cachekit/core', '@cachekit/core/testing', '@cachekit/ioredis']) {
      const viaRequire = await run(
        process.execPath,
        ['-e', `console.log(typeof require(${JSON.stringify(specifier)}))`],
        { cwd: exampleDir },
      );
      expect(viaRequire.stdout.trim()).toBe('object');
      const viaImport = await run(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length > 0)`,
        ],
        { cwd: exampleDir },
      );
      expect(viaImport.stdout.trim()).toBe('true');
    }
  }, 30_000);
});

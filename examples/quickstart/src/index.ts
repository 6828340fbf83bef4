import type { Store } from '@cachekit/core';
import { ioredisStore } from '@cachekit/ioredis';
import { runQuickstart } from './quickstart.js';

// In memory by default; on Redis when REDIS_URL is set (e.g. REDIS_URL=redis://127.0.0.1:6379).
const url = process.env.REDIS_URL;
const store: Store | undefined = url ? ioredisStore({ redis: url }) : undefined;
console.log(`cachekit quickstart on ${url ? `Redis at ${url}` : 'the in-memory store'}`);
try {
  await runQuickstart({
    ...(store === undefined ? {} : { store }),
    log: (line) => console.log(`  ${line}`),
  });
} finally {
  await store?.close();
}

import { afterAll, beforeAll, describe, it } from 'vitest';
import { memoryStore } from '../src/index.js';
import { runStoreConformance } from '../src/testing/index.js';

runStoreConformance(
  { describe, it, beforeAll, afterAll },
  { name: 'memory', create: () => memoryStore() },
);

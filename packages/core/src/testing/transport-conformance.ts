import { registerClusterTransportCases } from './transport-cases-cluster.js';
import {
  registerClusterFaultCases,
  registerStandaloneFaultCases,
} from './transport-cases-faults.js';
import { registerStandaloneTransportCases } from './transport-cases-standalone.js';
import { createTransportSuite } from './transport-suite.js';
import type { TransportConformanceOptions } from './transport-types.js';
import type { ConformanceRunner } from './types.js';

/**
 * Registers the transport conformance suite, under `transport conformance: <name>`, with the
 * runner's `describe`/`it`: delivery, patterns, unsubscribe, handler failures and the lifecycle on
 * a standalone server; sharded and classic pub/sub, and resubscribing after killed connections, on
 * a cluster. Each case makes its own transports (`options.create`) and kills only connections it
 * named, so the deployment may be shared with other tests.
 *
 * @example
 * runTransportConformance({ describe, it, beforeAll, afterAll }, {
 *   name: 'ioredis standalone',
 *   topology: 'standalone',
 *   nodes: () => [server],
 *   command: sendCommand,
 *   create: async (options) => { ... },
 *   ended: (subscriber) => (subscriber as Redis).status === 'end',
 * });
 */
export function runTransportConformance(
  runner: ConformanceRunner,
  options: TransportConformanceOptions,
): void {
  runner.describe(`transport conformance: ${options.name}`, () => {
    const suite = createTransportSuite(runner, options);
    if (options.topology === 'standalone') registerStandaloneTransportCases(suite);
    else registerClusterTransportCases(suite);
  });
}

/**
 * Registers the transport fault cases, under `transport faults: <name>`: they kill every pub/sub
 * connection of the deployment (standalone: 300 kill cycles, a connection given up on; cluster:
 * an outage with new connections refused on every node), so it must be theirs alone.
 */
export function runTransportFaultConformance(
  runner: ConformanceRunner,
  options: TransportConformanceOptions,
): void {
  runner.describe(`transport faults: ${options.name}`, () => {
    const suite = createTransportSuite(runner, options);
    if (options.topology === 'standalone') registerStandaloneFaultCases(suite);
    else registerClusterFaultCases(suite);
  });
}

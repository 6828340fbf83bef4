import { randomUUID } from 'node:crypto';
import type { TransportHandlers } from '../transport.js';
import type {
  TransportConformanceOptions,
  TransportFixture,
  TransportFixtureOptions,
  TransportNode,
} from './transport-types.js';
import type { ConformanceRunner } from './types.js';

/** Per-case timeout: cases wait for reconnects after killed connections and outages. */
const CASE_TIMEOUT = 25_000;

/** What a transport case receives: the suite's options plus fixtures disposed when it ends. */
export interface TransportContext {
  readonly options: TransportConformanceOptions;
  /** Makes a transport (closed, with its client, when the case ends). */
  create(options?: TransportFixtureOptions): Promise<TransportFixture>;
  /** Every server of the deployment. */
  nodes(): readonly TransportNode[];
  /** Sends a command to one server. */
  command(node: TransportNode, args: readonly string[]): Promise<unknown>;
}

export type TransportCaseFn = (context: TransportContext) => Promise<void>;

/** How the `transport-cases-*.ts` files register their cases. */
export interface TransportSuite {
  test(name: string, fn: TransportCaseFn, timeout?: number): void;
}

export function createTransportSuite(
  runner: ConformanceRunner,
  options: TransportConformanceOptions,
): TransportSuite {
  const run = (fn: TransportCaseFn) => async (): Promise<void> => {
    const fixtures: TransportFixture[] = [];
    const context: TransportContext = {
      options,
      async create(fixtureOptions = {}) {
        const fixture = await options.create(fixtureOptions);
        fixtures.push(fixture);
        return fixture;
      },
      nodes: () => options.nodes(),
      command: (node, args) => options.command(node, args),
    };
    try {
      await fn(context);
    } finally {
      for (const fixture of fixtures) {
        await fixture.transport.close().catch(() => {});
        await fixture.dispose();
      }
    }
  };
  return {
    test: (name, fn, timeout = CASE_TIMEOUT) => runner.it(name, run(fn), timeout),
  };
}

type Received = [channel: string, message: string, pattern: string | undefined];

/** Handlers that record what a transport delivers. */
export interface TransportRecorder {
  readonly handlers: TransportHandlers;
  readonly received: Received[];
  readonly errors: Error[];
  reconnects(): number;
  /** The messages received on `channel`, in order. */
  messages(channel: string): string[];
  /** Every message received, in order. */
  texts(): string[];
}

/** Records deliveries; `onReconnect` runs inside `reconnect()`, with the count so far. */
export function recorder(onReconnect: (count: number) => void = () => {}): TransportRecorder {
  const received: Received[] = [];
  const errors: Error[] = [];
  let reconnects = 0;
  return {
    handlers: {
      message: (channel, message, pattern) => received.push([channel, message, pattern]),
      reconnect: () => {
        reconnects += 1;
        onReconnect(reconnects);
      },
      error: (error) => errors.push(error),
    },
    received,
    errors,
    reconnects: () => reconnects,
    messages: (channel) => received.filter(([c]) => c === channel).map(([, m]) => m),
    texts: () => received.map(([, m]) => m),
  };
}

/** A unique connection name for one case. */
export const uniqueName = (): string => `ck-transport-${randomUUID().slice(0, 8)}`;

/** `CLIENT LIST` entries of `node` whose line contains `name`, as field maps. */
export async function clientsNamed(
  context: TransportContext,
  node: TransportNode,
  name: string,
): Promise<Map<string, string>[]> {
  const list = await context.command(node, ['CLIENT', 'LIST']);
  return String(list)
    .split('\n')
    .filter((line) => line.includes(name))
    .map(
      (line) => new Map(line.split(' ').map((field) => field.split('=', 2) as [string, string])),
    );
}

/** Kills the pub/sub connections named `name` on every node; resolves to how many. */
export async function killSubscribers(context: TransportContext, name: string): Promise<number> {
  let killed = 0;
  for (const node of context.nodes()) {
    for (const entry of await clientsNamed(context, node, name)) {
      if (!(entry.get('flags') ?? '').includes('P')) continue;
      await context.command(node, ['CLIENT', 'KILL', 'ID', entry.get('id') ?? '']);
      killed += 1;
    }
  }
  return killed;
}

/** Whether any connection named `name` is still subscribed, on any node. */
export async function anySubscriberNamed(
  context: TransportContext,
  name: string,
): Promise<boolean> {
  const entries = await Promise.all(context.nodes().map((n) => clientsNamed(context, n, name)));
  return entries.flat().some((entry) => (entry.get('flags') ?? '').includes('P'));
}

/** Runs `args` on every node; resolves to the replies. */
export function onEveryNode(
  context: TransportContext,
  args: readonly string[],
): Promise<unknown[]> {
  return Promise.all(context.nodes().map((node) => context.command(node, args)));
}

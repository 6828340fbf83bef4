import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { Redis } from 'ioredis';
import { buildApp, type FleetApp, type FleetAppOptions } from '../src/app.js';
import { stateKeys } from '../src/redis-state.js';

/** Apps built by a test file, closed by {@link closeAll} in `afterEach`. */
const open = new Set<FleetApp>();
const prefixes = new Map<string, string>();

/** Builds an app for a test: small fleet, fast source, no ticker, silent, unless told otherwise. */
export async function startFleet(options: FleetAppOptions = {}): Promise<FleetApp> {
  const fleet = await buildApp({
    miners: 12,
    latencyMs: 5,
    tickMs: 0,
    processMetrics: false,
    ...options,
  });
  open.add(fleet);
  if (options.redisUrl !== undefined && options.prefix !== undefined) {
    prefixes.set(options.prefix, options.redisUrl);
  }
  return fleet;
}

/** Options that make instances on one Redis one service, apart from every other test's. */
export function oneService(
  redisUrl: string,
): Pick<FleetAppOptions, 'redisUrl' | 'prefix' | 'namespace'> {
  const id = randomUUID().slice(0, 8);
  return { redisUrl, prefix: `fleet-test-${id}`, namespace: `fleet-test-${id}` };
}

/** Closes every app started with {@link startFleet} and deletes their fleets from Redis. */
export async function closeAll(): Promise<void> {
  await Promise.all([...open].map((fleet) => fleet.close()));
  open.clear();
  for (const [prefix, url] of prefixes) {
    const client = new Redis(url);
    try {
      await client.del(...Object.values(stateKeys(prefix)));
    } finally {
      await client.quit();
    }
  }
  prefixes.clear();
}

/** `max-age` of a response's Cache-Control, in seconds (undefined without one). */
export function maxAge(response: { headers: Record<string, unknown> }): number | undefined {
  const header = String(response.headers['cache-control'] ?? '');
  const match = /(?:^|[,\s])max-age=(\d+)/.exec(header);
  return match === null ? undefined : Number(match[1]);
}

/** Parses a JSON response body. */
export function json<T>(response: LightMyRequestResponse): T {
  return response.json() as T;
}

/** One Server-Sent Event. */
export interface SseEvent {
  event: string;
  data: unknown;
}

/**
 * A Server-Sent Events client over real HTTP (fetch): `next(match)` resolves to the first event
 * matching, or rejects at its deadline. Events are read in order; those skipped are dropped.
 */
export class SseClient {
  readonly #controller: AbortController;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();
  readonly #queue: SseEvent[] = [];
  #buffer = '';
  /** The read in flight: kept across `next()` calls, so that a timeout never loses data. */
  #pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> | undefined;

  private constructor(
    reader: ReadableStreamDefaultReader<Uint8Array>,
    controller: AbortController,
  ) {
    this.#reader = reader;
    this.#controller = controller;
  }

  static async open(url: string): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, {
      headers: { accept: 'text/event-stream' },
      signal: controller.signal,
    });
    if (!response.ok || response.body === null) {
      throw new Error(`GET ${url} answered ${response.status}: ${await response.text()}`);
    }
    if (!String(response.headers.get('content-type')).startsWith('text/event-stream')) {
      throw new Error(`GET ${url} is not an event stream: ${response.headers.get('content-type')}`);
    }
    return new SseClient(response.body.getReader(), controller);
  }

  /** The next event for which `match` is true (default: any), within `timeoutMs`. */
  async next(
    match: (event: SseEvent) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = this.#queue.shift();
      if (event !== undefined) {
        if (match(event)) return event;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching event within ${timeoutMs} ms`);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no matching event within ${timeoutMs} ms`)),
          left,
        );
      });
      try {
        this.#pending ??= this.#reader.read();
        const { done, value } = await Promise.race([this.#pending, timeout]);
        this.#pending = undefined;
        if (done) throw new Error('the event stream ended');
        this.#parse(this.#decoder.decode(value, { stream: true }));
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** Resolves true once the server ends the stream (false if it is still open at the deadline). */
  async ended(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await this.next(() => false, deadline - Date.now());
      } catch (error) {
        return (error as Error).message === 'the event stream ended';
      }
    }
    return false;
  }

  close(): void {
    this.#controller.abort();
  }

  #parse(text: string): void {
    this.#buffer += text;
    let end = this.#buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) this.#queue.push({ event, data: JSON.parse(data.join('\n')) });
      end = this.#buffer.indexOf('\n\n');
    }
  }
}

/** One sample of a Prometheus text exposition. */
export interface PromSample {
  labels: Record<string, string>;
  value: number;
}

/** The samples of metric `name` in a Prometheus text exposition. */
export function promSamples(text: string, name: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null || match[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1] as string] = label[2] as string;
    }
    samples.push({ labels, value: Number(match[3]) });
  }
  return samples;
}

import { connect } from 'node:net';
import { type Cache, createCache } from '@cachekit/core';
import Fastify, {
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from 'fastify';
import CachePolicy from 'http-cache-semantics';
import { expect, vi } from 'vitest';
import cachekitFastify, { type CachekitFastifyOptions } from '../src/index.js';

/** An app with the plugin registered, then `routes` declared. Close it with `app.close()`. */
export async function cachedApp(
  routes: (app: FastifyInstance) => void,
  options: Partial<CachekitFastifyOptions> = {},
  server: FastifyServerOptions = {},
): Promise<{ app: FastifyInstance; cache: Cache }> {
  const cache = options.cache ?? createCache();
  const app = Fastify(server);
  await app.register(cachekitFastify, { ...options, cache });
  routes(app);
  await app.ready();
  return { app, cache };
}

/** A promise with its resolve function, to hold a handler until the test lets it go. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Fakes only `Date` (the memory store's clock): Fastify, inject and the sockets keep real timers. */
export function fakeDate(): { advance(ms: number): void; restore(): void } {
  vi.useFakeTimers({ toFake: ['Date'] });
  return {
    advance: (ms) => vi.setSystemTime(Date.now() + ms),
    restore: () => vi.useRealTimers(),
  };
}

/** A response as `inject()` or `fetch()` gives it. */
export interface SeenResponse {
  readonly statusCode: number;
  readonly headers: Record<string, unknown>;
}

/** Headers as plain strings (what `http-cache-semantics` expects). */
export function plainHeaders(headers: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

export interface SeenRequest {
  readonly method?: string;
  readonly url?: string;
  readonly headers?: Record<string, string>;
}

/** What an HTTP cache (`http-cache-semantics`, as HTTP clients use it) makes of a response. */
export function cachePolicy(
  response: SeenResponse,
  request: SeenRequest = {},
  shared = true,
): CachePolicy {
  return new CachePolicy(
    {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: { host: 'localhost', ...request.headers },
    },
    { status: response.statusCode, headers: plainHeaders(response.headers) },
    { shared },
  );
}

/**
 * Asserts that a shared HTTP cache may store the response for the policy's TTL minus its Age
 * (plus the stale-while-revalidate / stale-if-error window `extraSeconds`), within 1 s.
 */
export function expectStorable(
  response: SeenResponse,
  ttlSeconds: number,
  extraSeconds = 0,
  request: SeenRequest = {},
): void {
  const policy = cachePolicy(response, request);
  expect(policy.storable()).toBe(true);
  const age = Number(response.headers.age ?? 0);
  const expected = (ttlSeconds - age + extraSeconds) * 1000;
  expect(Math.abs(policy.timeToLive() - expected)).toBeLessThanOrEqual(1000);
}

/** Asserts that a shared HTTP cache must not store the response. */
export function expectNotStorable(response: SeenResponse, request: SeenRequest = {}): void {
  expect(cachePolicy(response, request).storable()).toBe(false);
}

/** A JSON handler counting its calls: `{ n, ...extra }`. */
export interface Counter {
  calls: number;
  handler(request: FastifyRequest): Promise<Record<string, unknown>>;
}

export function counter(
  extra: (request: FastifyRequest) => Record<string, unknown> = () => ({}),
): Counter {
  const state: Counter = {
    calls: 0,
    handler: async (request) => {
      state.calls++;
      return { n: state.calls, ...extra(request) };
    },
  };
  return state;
}

/** A response read off a raw socket. */
export interface RawResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends `GET <target> HTTP/1.1` as written, over a raw TCP socket (fetch and http.request
 * normalise the path and would hide what Fastify routes), and reads the whole response.
 */
export function rawGet(port: number, target: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({
        statusCode: Number(statusLine.split(' ')[1]),
        headers,
        body: text.slice(split + 4),
      });
    });
  });
}

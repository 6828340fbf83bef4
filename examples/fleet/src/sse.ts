import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/** One open Server-Sent Events response. */
export interface SseStream {
  /** Sends one event; false (and the stream closes) when the client cannot keep up. */
  send(event: string, data: unknown): boolean;
  readonly closed: boolean;
  close(): void;
}

const CLOSED: SseStream = Object.freeze({ send: () => false, closed: true, close: () => {} });

/** Options of {@link SseHub}. */
export interface SseHubOptions {
  /** Comment line sent to every stream this often (ms), so that proxies keep it open. Default 15,000. */
  heartbeatMs?: number;
  /** A stream whose unsent output exceeds this (bytes) is closed; the browser reconnects. Default 1 MiB. */
  maxBufferedBytes?: number;
}

/**
 * The instance's open event streams: heartbeats, slow-client protection, and `closeAll()` on
 * shutdown (an open stream would otherwise hold the server open).
 */
export class SseHub {
  readonly #streams = new Set<ServerResponse>();
  readonly #maxBuffered: number;
  readonly #timer: NodeJS.Timeout;

  constructor(options: SseHubOptions = {}) {
    this.#maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
    this.#timer = setInterval(() => {
      for (const res of this.#streams) res.write(': keep-alive\n\n');
    }, options.heartbeatMs ?? 15_000);
    this.#timer.unref();
  }

  /** Streams open now. */
  get size(): number {
    return this.#streams.size;
  }

  /**
   * Takes over `reply` (Fastify's hooks no longer run for it) as an event stream. `onClose` runs
   * once, when the client goes away or the stream is closed.
   */
  open(reply: FastifyReply, onClose: () => void): SseStream {
    reply.hijack();
    const res = reply.raw;
    if (res.destroyed) {
      // The client left while the first state was being read.
      onClose();
      return CLOSED;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    this.#streams.add(res);
    let closed = false;
    const close = (): void => {
      if (closed) return;
      closed = true;
      this.#streams.delete(res);
      onClose();
      if (!res.writableEnded) res.end();
    };
    res.on('close', close);
    return {
      send: (event, data) => {
        if (closed) return false;
        res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        if (res.writableLength > this.#maxBuffered) {
          close();
          return false;
        }
        return true;
      },
      get closed() {
        return closed;
      },
      close,
    };
  }

  /** Ends every stream and stops the heartbeat. */
  closeAll(): void {
    clearInterval(this.#timer);
    for (const res of [...this.#streams]) res.end();
    this.#streams.clear();
  }
}

import { StoreError } from './errors.js';
import { replaceDelay } from './transport-shell.js';

const ignore = (): void => {};

/**
 * The one connection a driver's single-connection subscriber listens to, and its replacement:
 * when the connection ends for good (its reconnect strategy gave up), the subscriber calls
 * {@link replaceLater}, which stops listening to it and opens the next one after a backoff
 * (100 ms doubling to 2 s; reset with {@link ready}). `C` is the driver's connection type.
 */
export class ConnectionSlot<C> {
  private conn: C | undefined;
  private detachCurrent: () => void = ignore;
  private closing = false;
  private replacements = 0;
  private replaceTimer: NodeJS.Timeout | undefined;

  /** `shut` closes a connection (gracefully if it can) when the slot is closed. */
  constructor(
    private readonly name: string,
    private readonly shut: (conn: C) => Promise<unknown>,
  ) {}

  /** The current connection; `undefined` while it is being replaced and after `close()`. */
  get current(): C | undefined {
    return this.conn;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.closing;
  }

  /** Makes `conn` the current connection; `detach` stops listening to it. */
  attach(conn: C, detach: () => void): void {
    this.conn = conn;
    this.detachCurrent = detach;
  }

  /** The current connection, or a StoreError while there is none. */
  live(): C {
    if (this.conn === undefined) {
      throw new StoreError(`${this.name}: the subscriber connection is down (being replaced)`);
    }
    return this.conn;
  }

  /** A connection is ready: the next replacement waits the shortest backoff again. */
  ready(): void {
    this.replacements = 0;
  }

  /** Drops the current connection (no longer listened to) and runs `open` after the backoff. */
  replaceLater(open: () => void): void {
    this.detachCurrent();
    this.detachCurrent = ignore;
    this.conn = undefined;
    const delay = replaceDelay(this.replacements);
    this.replacements += 1;
    this.replaceTimer = setTimeout(() => {
      this.replaceTimer = undefined;
      if (!this.closing) open();
    }, delay);
    this.replaceTimer.unref();
  }

  /** Cancels a pending replacement and shuts the current connection. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearTimeout(this.replaceTimer);
    const conn = this.conn;
    this.conn = undefined;
    if (conn === undefined) return;
    try {
      await this.shut(conn);
    } finally {
      this.detachCurrent();
    }
  }
}

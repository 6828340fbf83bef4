import { connect } from 'node:net';

/** Where a Redis server listens. */
export interface RedisAddress {
  readonly host: string;
  readonly port: number;
}

/** A decoded RESP2 reply: bulk and simple strings, integers, nil, arrays (errors nested in arrays stay errors). */
export type RespValue = string | number | null | RedisReplyError | RespValue[];

/** The server answered with a RESP error (`-ERR ...`). */
export class RedisReplyError extends Error {
  override readonly name = 'RedisReplyError';
}

/** No complete reply arrived before the deadline (for example the server is paused with SIGSTOP). */
export class RedisCommandTimeoutError extends Error {
  override readonly name = 'RedisCommandTimeoutError';
}

export interface SendCommandOptions {
  /** Give up after this many milliseconds (connect + reply). Default 2000. */
  readonly timeoutMs?: number;
}

function encode(args: readonly (string | number)[]): Buffer {
  const parts: string[] = [`*${args.length}\r\n`];
  for (const arg of args) {
    const text = String(arg);
    parts.push(`$${Buffer.byteLength(text)}\r\n${text}\r\n`);
  }
  return Buffer.from(parts.join(''));
}

interface Parsed {
  readonly value: RespValue;
  readonly end: number;
}

/** Parses one reply starting at `pos`; `undefined` while the reply is incomplete. */
function parse(buf: Buffer, pos: number): Parsed | undefined {
  const lineEnd = buf.indexOf('\r\n', pos);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[pos] ?? 0);
  const line = buf.toString('utf8', pos + 1, lineEnd);
  const next = lineEnd + 2;
  switch (type) {
    case '+':
      return { value: line, end: next };
    case '-':
      return { value: new RedisReplyError(line), end: next };
    case ':':
      return { value: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { value: null, end: next };
      if (buf.length < next + length + 2) return undefined;
      return { value: buf.toString('utf8', next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { value: null, end: next };
      const items: RespValue[] = [];
      let at = next;
      for (let i = 0; i < count; i++) {
        const item = parse(buf, at);
        if (item === undefined) return undefined;
        items.push(item.value);
        at = item.end;
      }
      return { value: items, end: at };
    }
    default:
      throw new Error(`Unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

/**
 * Sends one command on a fresh connection and resolves with its reply. A RESP error
 * reply rejects with {@link RedisReplyError}; no reply in time rejects with
 * {@link RedisCommandTimeoutError}. No client library involved: enough for PING, INFO,
 * CLUSTER INFO and DEBUG in tests.
 */
export function sendCommand(
  address: RedisAddress,
  args: readonly (string | number)[],
  options: SendCommandOptions = {},
): Promise<RespValue> {
  const timeoutMs = options.timeoutMs ?? 2000;
  return new Promise<RespValue>((resolve, reject) => {
    let buffer: Buffer = Buffer.alloc(0);
    let settled = false;
    const socket = connect({ host: address.host, port: address.port });
    const finish = (error: Error | undefined, value?: RespValue): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(value ?? null);
    };
    const timer = setTimeout(() => {
      finish(
        new RedisCommandTimeoutError(
          `${String(args[0])} to ${address.host}:${address.port} got no reply within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    socket.setNoDelay(true);
    socket.on('connect', () => socket.write(encode(args)));
    socket.on('data', (chunk: Buffer) => {
      buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
      let parsed: Parsed | undefined;
      try {
        parsed = parse(buffer, 0);
      } catch (error) {
        finish(error as Error);
        return;
      }
      if (parsed === undefined) return;
      if (parsed.value instanceof RedisReplyError) finish(parsed.value);
      else finish(undefined, parsed.value);
    });
    socket.on('error', (error) => finish(error));
    socket.on('close', () =>
      finish(new Error(`Connection to ${address.host}:${address.port} closed before a reply`)),
    );
  });
}

/** Parses `INFO` / `CLUSTER INFO` text (`key:value` lines) into a map. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Sends `INFO [section]` (or `CLUSTER INFO` when section is `'cluster-info'`) and parses it. */
export async function info(
  address: RedisAddress,
  section?: string,
  options: SendCommandOptions = {},
): Promise<Map<string, string>> {
  const args =
    section === 'cluster-info' ? ['CLUSTER', 'INFO'] : section ? ['INFO', section] : ['INFO'];
  const reply = await sendCommand(address, args, options);
  if (typeof reply !== 'string') throw new Error(`${args.join(' ')} returned a non-string reply`);
  return parseInfo(reply);
}

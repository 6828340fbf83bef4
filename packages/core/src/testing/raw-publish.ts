import { connect } from 'node:net';
import type { TransportNode } from './transport-types.js';

/** How long a raw PUBLISH may take. */
const RAW_TIMEOUT_MS = 2_000;

/**
 * Publishes `payload` on `channel` over a fresh socket, its bytes sent as they are (not UTF-8
 * encoded by a driver): what another program, or `redis-cli -x`, may put on a channel. Resolves
 * to the number of receivers Redis reports.
 */
export function rawPublish(
  node: TransportNode,
  channel: string,
  payload: string | Uint8Array,
): Promise<number> {
  const parts = [Buffer.from('PUBLISH'), Buffer.from(channel), Buffer.from(payload)];
  const frame = Buffer.concat([
    Buffer.from(`*${parts.length}\r\n`),
    ...parts.flatMap((part) => [Buffer.from(`$${part.length}\r\n`), part, Buffer.from('\r\n')]),
  ]);
  return new Promise<number>((resolve, reject) => {
    const socket = connect({ host: node.host, port: node.port });
    let reply = '';
    const finish = (error: Error | undefined, count?: number): void => {
      socket.destroy();
      if (error === undefined) resolve(count ?? 0);
      else reject(error);
    };
    socket.setTimeout(RAW_TIMEOUT_MS, () => finish(new Error('raw PUBLISH timed out')));
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      const end = reply.indexOf('\r\n');
      if (end === -1) return;
      const line = reply.slice(0, end);
      if (line.startsWith(':')) finish(undefined, Number(line.slice(1)));
      else finish(new Error(`raw PUBLISH: unexpected reply ${JSON.stringify(line)}`));
    });
    socket.write(frame);
  });
}

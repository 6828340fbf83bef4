import type { IoredisClient } from './options.js';

/** How long `close()` waits for QUIT to end the connection before dropping it. */
const QUIT_TIMEOUT_MS = 2_000;

/**
 * Quits a client the store created and resolves once it has ended: QUIT (pending replies are
 * read first), or a plain disconnect if QUIT fails or does not end the connection within
 * {@link QUIT_TIMEOUT_MS} (a server that stopped answering).
 */
export async function quitClient(client: IoredisClient): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready' && client.status !== 'connect') {
    // Never connected (lazyConnect), connecting or reconnecting: QUIT would wait in the offline
    // queue for a connection that is not there, so drop it (queued commands are rejected).
    client.disconnect();
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<'ended'>((resolve) => client.once('end', () => resolve('ended')));
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), QUIT_TIMEOUT_MS);
    timer.unref();
  });
  client.quit().catch(() => client.disconnect());
  try {
    if ((await Promise.race([ended, timedOut])) === 'timeout') client.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

// A benchmark worker process (built to dist/worker.js: Node 20 does not run TypeScript). The
// parent forks it, sends `init`, then drives it over IPC; see worker-client.ts.
import type {
  InitArgs,
  Operation,
  ReadArgs,
  Replies,
  Request,
  Requests,
  StampedeArgs,
  WorkerMessage,
} from './protocol.js';
import { wallClock } from './protocol.js';
import { runStampede } from './stampede.js';
import { openWorkerCache, type WorkerCache } from './worker-caches.js';
import { valueFor, versionOf } from './worker-value.js';

let cache: WorkerCache | undefined;
/** The key whose next remote invalidation is reported (one report per `watch`). */
let watched: string | undefined;

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function onDropped(key: string | undefined): void {
  const at = wallClock();
  const target = watched;
  if (target === undefined) return;
  if (key !== undefined && key !== target && !key.endsWith(`:${target}`)) return;
  watched = undefined;
  send({ kind: 'dropped', key: target, at, flush: key === undefined });
}

function opened(): WorkerCache {
  if (cache === undefined) throw new Error('The worker was not initialized: send `init` first.');
  return cache;
}

async function read({ key, version, watch }: ReadArgs): Promise<Replies['read']> {
  let loaded = false;
  const value = await opened().read(key, async () => {
    loaded = true;
    return valueFor(key, version);
  });
  if (watch) watched = key;
  return { version: versionOf(key, value), loaded };
}

const handlers: { [K in Operation]: (args: Requests[K]) => Promise<Replies[K]> } = {
  async init(args: InitArgs) {
    cache = await openWorkerCache(args, onDropped);
    return { pid: process.pid };
  },
  read,
  stampede: (args: StampedeArgs) => runStampede((key, loader) => opened().read(key, loader), args),
  async remove({ key }) {
    const c = opened();
    const started = wallClock();
    await c.remove(key);
    return { started, ended: wallClock() };
  },
  async close() {
    const c = cache;
    cache = undefined;
    await c?.close();
    return {};
  },
};

process.on('message', (request: Request) => {
  const handler = handlers[request.op] as (args: unknown) => Promise<unknown>;
  handler(request.args).then(
    (result) => send({ kind: 'reply', id: request.id, ok: true, result }),
    (error: unknown) =>
      send({
        kind: 'reply',
        id: request.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
// The parent is gone (it crashed or was killed): nothing else will stop this process.
process.on('disconnect', () => process.exit(0));
send({ kind: 'ready' });

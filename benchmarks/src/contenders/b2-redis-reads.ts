import { parseInfo, type RedisAddress, sendCommand } from '@cachekit/redis-testkit';

/** What Redis did while some work ran: key lookups and commands by name (the probe's own excluded). */
export interface RedisReads {
  /** Key lookups that found their key (`keyspace_hits`: one per key of a GET, MGET, script read…). */
  readonly keyHits: number;
  /** Key lookups that did not (`keyspace_misses`). */
  readonly keyMisses: number;
  /** Calls per command (`INFO commandstats`), lower case, without the probe's `info`. */
  readonly commands: ReadonlyMap<string, number>;
}

async function snapshot(server: RedisAddress): Promise<RedisReads> {
  const reply = await sendCommand(server, ['INFO', 'stats', 'commandstats']);
  if (typeof reply !== 'string') throw new Error('INFO stats commandstats returned no text');
  const fields = parseInfo(reply);
  const commands = new Map<string, number>();
  for (const [field, value] of fields) {
    if (!field.startsWith('cmdstat_')) continue;
    const name = field.slice('cmdstat_'.length);
    const calls = /(?:^|,)calls=(\d+)/.exec(value)?.[1];
    if (name !== 'info' && calls !== undefined) commands.set(name, Number(calls));
  }
  return {
    keyHits: Number(fields.get('keyspace_hits')),
    keyMisses: Number(fields.get('keyspace_misses')),
    commands,
  };
}

/**
 * What Redis did while `work` ran (INFO stats and commandstats before and after): how a scenario
 * proves that every read reached Redis, and counts what each read cost there. Only meaningful on
 * a server nothing else uses meanwhile (each scenario starts its own).
 */
export async function redisReadsDuring(
  server: RedisAddress,
  work: () => Promise<void>,
): Promise<RedisReads> {
  const before = await snapshot(server);
  await work();
  const after = await snapshot(server);
  const commands = new Map<string, number>();
  for (const [name, calls] of after.commands) {
    const delta = calls - (before.commands.get(name) ?? 0);
    if (delta > 0) commands.set(name, delta);
  }
  return {
    keyHits: after.keyHits - before.keyHits,
    keyMisses: after.keyMisses - before.keyMisses,
    commands,
  };
}

/** Total of the command calls: `GET 5,000` and so on summed. */
export function commandTotal(reads: RedisReads): number {
  let total = 0;
  for (const calls of reads.commands.values()) total += calls;
  return total;
}

/** `GET 5,000, MGET 12` (most called first), for findings. */
export function commandList(reads: RedisReads): string {
  const entries = [...reads.commands].sort((a, b) => b[1] - a[1]);
  if (entries.length === 0) return 'no command';
  return entries
    .map(([name, calls]) => `${name.toUpperCase()} ${calls.toLocaleString('en-US')}`)
    .join(', ');
}

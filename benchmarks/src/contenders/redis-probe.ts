import { info, type RedisAddress, sendCommand } from '@cachekit/redis-testkit';

async function commandsProcessed(server: RedisAddress): Promise<number> {
  const stats = await info(server, 'stats');
  return Number(stats.get('total_commands_processed'));
}

/**
 * Commands Redis processed while `work` ran, beyond those of the probe itself (measured by two
 * probes in a row first): how a scenario proves a read was served in process.
 */
export async function commandsDuring(
  server: RedisAddress,
  work: () => Promise<void>,
): Promise<number> {
  const first = await commandsProcessed(server);
  const second = await commandsProcessed(server);
  await work();
  const third = await commandsProcessed(server);
  return third - second - (second - first);
}

/** Number of keys in the server's database 0. */
export async function keyCount(server: RedisAddress): Promise<number> {
  return Number(await sendCommand(server, ['DBSIZE']));
}

import { type Bus, type Channel, channel, type Message, type Subscription } from '@cachekit/pubsub';
import type { ConfigChange, FleetFeed } from './fleet-feed.js';
import type { MinerStatus } from './fleet-model.js';

/** Payload of a `status` message: the miners whose status changed in one tick. */
export interface StatusBatch {
  statuses: MinerStatus[];
}

/** Publishes fleet changes on the bus and feeds the ones heard (from every instance) to `feed`. */
export interface FleetBus {
  readonly bus: Bus;
  /** `<prefix>:status` */
  readonly statusChannel: Channel<StatusBatch>;
  /** `<prefix>:config` */
  readonly configChannel: Channel<ConfigChange>;
  publishStatuses(statuses: readonly MinerStatus[]): Promise<void>;
  publishConfig(change: ConfigChange): Promise<void>;
  /** Subscribes both channels (resolves once subscribed). */
  start(): Promise<void>;
  /** Unsubscribes; the bus itself stays open. */
  stop(): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function isStatus(value: unknown): value is MinerStatus {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.hashrateTHs === 'number' &&
    typeof value.temperatureC === 'number' &&
    typeof value.fanSpeedRpm === 'number' &&
    typeof value.online === 'boolean' &&
    typeof value.updatedAt === 'string'
  );
}

function isConfigChange(value: unknown): value is ConfigChange {
  return (
    isRecord(value) &&
    typeof value.minerId === 'string' &&
    isRecord(value.config) &&
    typeof value.config.poolUrl === 'string' &&
    typeof value.config.powerTargetW === 'number' &&
    typeof value.config.fanMode === 'string'
  );
}

/**
 * The fleet's channels on `bus`, named after the state prefix so that two fleets on one Redis
 * never hear each other. Messages from other processes are checked; malformed ones are reported
 * through `bus.reportMalformed` (counted in the bus stats) and dropped.
 */
export function fleetBus(bus: Bus, prefix: string, feed: FleetFeed): FleetBus {
  const statusChannel = channel<StatusBatch>(prefix, 'status');
  const configChannel = channel<ConfigChange>(prefix, 'config');
  let subscriptions: Subscription[] = [];

  const onStatus = (message: Message<StatusBatch>): void => {
    const data = message.data as unknown;
    const statuses = isRecord(data) && Array.isArray(data.statuses) ? data.statuses : undefined;
    if (statuses === undefined || !statuses.every(isStatus)) {
      bus.reportMalformed(message.channel, 'not a status batch', JSON.stringify(data));
      return;
    }
    feed.emitStatuses(statuses);
  };
  const onConfig = (message: Message<ConfigChange>): void => {
    if (!isConfigChange(message.data)) {
      bus.reportMalformed(message.channel, 'not a config change', JSON.stringify(message.data));
      return;
    }
    feed.emitConfig(message.data);
  };

  return {
    bus,
    statusChannel,
    configChannel,
    async publishStatuses(statuses) {
      if (statuses.length > 0)
        await bus.publish(statusChannel, 'status', { statuses: [...statuses] });
    },
    async publishConfig(change) {
      await bus.publish(configChannel, 'config', change);
    },
    async start() {
      subscriptions = await Promise.all([
        bus.subscribe(statusChannel, onStatus),
        bus.subscribe(configChannel, onConfig),
      ]);
    },
    async stop() {
      const current = subscriptions;
      subscriptions = [];
      await Promise.all(current.map((subscription) => subscription.unsubscribe()));
    },
  };
}

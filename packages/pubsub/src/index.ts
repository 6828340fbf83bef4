export { Bus, createBus } from './bus.js';
export type {
  BusErrorEvent,
  BusEventListener,
  BusEventMap,
  BusMessageEvent,
  MalformedEvent,
} from './bus-events.js';
export type { BusStats, Counters, Subscription } from './bus-types.js';
export {
  type CacheSyncOptions,
  cacheSync,
  eventChannel,
  INVALIDATE,
  publishEvent,
  syncChannel,
} from './cache-sync.js';
export {
  type Channel,
  channel,
  channelPattern,
  type Pattern,
  rawPattern,
  type Target,
} from './channels.js';
export type { Envelope } from './envelope.js';
export { HandlerError, TransportError } from './errors.js';
export {
  type MemoryHub,
  type MemoryTransport,
  type MemoryTransportOptions,
  type MemoryTransportTesting,
  memoryHub,
  memoryTransport,
} from './memory-transport.js';
export type { Gap, GapReason, Message, MessageHandler, StreamItem } from './messages.js';
export type { BusOptions } from './options.js';
export type { MessageStream, OverflowPolicy, StreamOptions } from './stream.js';

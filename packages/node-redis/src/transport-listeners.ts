import { type TransportHandlers, Wanted } from '@cachekit/core';
import type { NodeRedisMessageListener } from './transport-client.js';

/**
 * The channels and patterns a subscriber wants, with the node-redis listeners that deliver their
 * messages to `handlers` (dropping those that arrive after an unsubscribe).
 */
export class SubscriptionListeners {
  readonly channels: Wanted = new Wanted();
  readonly patterns: Wanted = new Wanted();
  /** The listener of every exact channel. */
  readonly onMessage: NodeRedisMessageListener;
  private readonly patternListeners = new Map<string, NodeRedisMessageListener>();

  constructor(private readonly handlers: TransportHandlers) {
    this.onMessage = (message, channel) => {
      if (this.channels.has(channel)) handlers.message(channel, message, undefined);
    };
  }

  /** One listener per pattern: node-redis passes the channel to it, not the pattern. */
  forPattern(pattern: string): NodeRedisMessageListener {
    let listener = this.patternListeners.get(pattern);
    if (listener === undefined) {
      listener = (message, channel) => {
        if (this.patterns.has(pattern)) this.handlers.message(channel, message, pattern);
      };
      this.patternListeners.set(pattern, listener);
    }
    return listener;
  }

  /** Forgets `patterns` and their listeners; returns those that were held. */
  removePatterns(patterns: readonly string[]): string[] {
    const held = this.patterns.remove(patterns);
    for (const pattern of held) this.patternListeners.delete(pattern);
    return held;
  }
}

import type { Message, MessageHandler } from './messages.js';
import type { Listener } from './registry.js';

/**
 * Wraps a handler for the registry: a throw or a rejected promise goes to `report`, never to the
 * transport or the other handlers. Handlers learn about gaps through `bus.onGap()`.
 */
export function handlerListener<T>(
  handler: MessageHandler<T>,
  report: (error: unknown, channel: string) => void,
): Listener {
  return {
    message(message: Message): void {
      try {
        const result = handler(message as Message<T>);
        if (result !== undefined && typeof result.then === 'function') {
          result.then(undefined, (error: unknown) => report(error, message.channel));
        }
      } catch (error) {
        report(error, message.channel);
      }
    },
    gap(): void {},
    end(): void {},
  };
}

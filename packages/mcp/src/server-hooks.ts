/** The part of the SDK's `Server` (a `Protocol`) whose close hook the hub needs. */
export interface ClosableProtocol {
  onclose?: (() => void) | undefined;
}

/**
 * Makes `after` run whenever `target.onclose` is called, whatever the application assigns to
 * `onclose` before or after this: the property becomes an accessor that stores the application's
 * handler and returns it composed with `after` (the handler first; `after` even if it throws).
 * Chaining (`const previous = server.onclose; server.onclose = () => { previous?.(); ... }`) keeps
 * working, so `after` must be idempotent.
 */
export function chainOnClose(target: ClosableProtocol, after: () => void): void {
  const compose =
    (handler: (() => void) | undefined): (() => void) =>
    () => {
      try {
        handler?.();
      } finally {
        after();
      }
    };
  let composed = compose(target.onclose);
  Object.defineProperty(target, 'onclose', {
    configurable: true,
    enumerable: true,
    get: () => composed,
    set: (handler: (() => void) | undefined) => {
      composed = compose(handler);
    },
  });
}

import { InvalidRouteCacheError } from './errors.js';
import type { RouteBinding } from './route-config.js';

/**
 * Request headers Fastify's built-in constraint strategies derive from (find-my-way: `host` is
 * `Host` or HTTP/2's `:authority`, `version` is `Accept-Version`). The same header values route
 * a request to the same route, so keying by them and forwarding them makes the fill land where
 * the request did.
 */
const CONSTRAINT_HEADERS: Readonly<Record<string, string>> = {
  host: 'host',
  version: 'accept-version',
};

function describe(value: unknown): string {
  return value instanceof RegExp ? value.toString() : JSON.stringify(value);
}

/**
 * Where a route sits in the router (its path and constraints), and the headers its constraints
 * are derived from. A constraint from a custom strategy is refused with
 * {@link InvalidRouteCacheError}: the plugin cannot know what request data the strategy reads,
 * so it could neither key by it nor make the fill reach this route again.
 */
export function routeBinding(
  label: string,
  url: string,
  constraints: Readonly<Record<string, unknown>> | undefined,
): RouteBinding {
  const names = Object.keys(constraints ?? {}).sort();
  const headers: string[] = [];
  const parts: string[] = [];
  for (const name of names) {
    const header = CONSTRAINT_HEADERS[name];
    if (header === undefined) {
      throw new InvalidRouteCacheError(
        `Route ${label}: config.cache cannot cache a route with the constraint "${name}" (a ` +
          'custom strategy): the plugin cannot tell which request data it is derived from, so a ' +
          'fill could reach another route. Remove config.cache from this route, or route on the ' +
          'host or version constraint instead.',
      );
    }
    headers.push(header);
    parts.push(`${name}=${describe(constraints?.[name])}`);
  }
  return { id: JSON.stringify([url, ...parts]), headers };
}

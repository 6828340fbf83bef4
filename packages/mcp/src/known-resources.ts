import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

/** What `McpServer` keeps of its registrations (fields of SDK 1.x, read defensively). */
interface Registrations {
  _registeredResources?: Record<string, { enabled?: boolean } | undefined>;
  _registeredResourceTemplates?: Record<
    string,
    | {
        enabled?: boolean;
        resourceTemplate?: { uriTemplate?: { match?: (uri: string) => unknown } };
      }
    | undefined
  >;
}

/**
 * Whether `server` serves `href` (a normalised URI): an enabled fixed resource with that URI or
 * an enabled template matching it, as the SDK's `resources/read` handler looks them up, including
 * resources registered on the server directly (uncached). `undefined` when the SDK keeps its
 * registrations elsewhere than 1.x does.
 */
export function serverServes(server: McpServer, href: string): boolean | undefined {
  const { _registeredResources: fixed, _registeredResourceTemplates: templates } =
    server as unknown as Registrations;
  if (typeof fixed !== 'object' || fixed === null) return undefined;
  if (typeof templates !== 'object' || templates === null) return undefined;
  // The SDK looks fixed resources up by `new URL(uri).toString()`, exactly.
  if (Object.hasOwn(fixed, href) && fixed[href]?.enabled !== false) return true;
  for (const template of Object.values(templates)) {
    const uriTemplate = template?.resourceTemplate?.uriTemplate;
    if (template?.enabled === false || typeof uriTemplate?.match !== 'function') continue;
    if (uriTemplate.match(href) !== null) return true;
  }
  return false;
}

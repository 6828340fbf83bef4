import type {
  FastifyInstance,
  FastifyPluginAsync,
  FastifyReply,
  FastifyRequest,
  RouteOptions,
} from 'fastify';
import fp from 'fastify-plugin';
import { createDecorator } from './decorator.js';
import { RouteBeforePluginError } from './errors.js';
import { Filler } from './fill.js';
import { type CachekitFastifyOptions, resolvePluginOptions } from './options.js';
import { type CompiledRoute, compileRoute } from './route-config.js';
import { lookup, type PluginState, respond } from './serve.js';

/** Marks the route configs this plugin compiled (a route declared before it lacks the mark). */
const COMPILED: unique symbol = Symbol('cachekit.compiled');

type Hook = (...args: never[]) => unknown;

function append(existing: unknown, hook: Hook): Hook[] {
  if (existing === undefined || existing === null) return [hook];
  return Array.isArray(existing) ? [...(existing as Hook[]), hook] : [existing as Hook, hook];
}

function isStream(payload: unknown): boolean {
  if (payload === null || typeof payload !== 'object') return false;
  const candidate = payload as { pipe?: unknown; getReader?: unknown };
  return (
    typeof candidate.pipe === 'function' ||
    typeof candidate.getReader === 'function' ||
    Object.prototype.toString.call(payload) === '[object Response]'
  );
}

/** The two hooks added to a cached route. */
interface RouteHooks {
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
}

function routeHooks(state: PluginState, route: CompiledRoute): RouteHooks {
  // Runs after every other hook of the route (auth included), just before the handler.
  const preHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (state.filler.fillOf(request) !== undefined) return undefined;
    const outcome = await lookup(state, route, request);
    return outcome === undefined ? undefined : respond(state, route, request, reply, outcome);
  };
  const onSend = async (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): Promise<unknown> => {
    const fill = state.filler.fillOf(request);
    if (fill !== undefined) {
      if (isStream(payload)) fill.streamed = true;
    } else if (!state.served.has(request)) {
      reply.header('x-cache', 'BYPASS');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    }
    return payload;
  };
  return { preHandler, onSend };
}

async function cachekitPlugin(
  fastify: FastifyInstance,
  options: CachekitFastifyOptions,
): Promise<void> {
  const resolved = resolvePluginOptions(options);
  const state: PluginState = {
    cache: resolved.cache.namespace(resolved.namespace),
    namespace: resolved.namespace,
    filler: new Filler(fastify),
    served: new WeakSet(),
  };
  fastify.decorate('cache', createDecorator(state));

  fastify.addHook('onRoute', (routeOptions: RouteOptions) => {
    const config = routeOptions.config?.cache;
    if (config === undefined || config === false) return;
    const label = `${[routeOptions.method].flat().join(',')} ${routeOptions.url}`;
    const route = compileRoute(config, label, state.cache, resolved.principal);
    const hooks = routeHooks(state, route);
    routeOptions.config = { ...routeOptions.config, [COMPILED]: true } as NonNullable<
      RouteOptions['config']
    >;
    routeOptions.preHandler = append(routeOptions.preHandler, hooks.preHandler) as never;
    routeOptions.onSend = append(routeOptions.onSend, hooks.onSend) as never;
  });

  // Every route of this scope and its children, including ones declared before the plugin.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config as
      | (typeof request.routeOptions.config & { [COMPILED]?: true })
      | undefined;
    const cache = config?.cache;
    if (cache === undefined || cache === false || config?.[COMPILED] === true) {
      done();
      return;
    }
    done(new RouteBeforePluginError(String(config?.method), String(config?.url)));
  });

  // The cache and its clients are the caller's: only this plugin's own state is dropped.
  fastify.addHook('onClose', (_instance, done) => {
    state.filler.forgetPasses();
    done();
  });
}

/**
 * The plugin: caches the GET/HEAD responses of routes declaring `config.cache`, and decorates the
 * instance with `cache` (`FastifyCachekit`). Register it before the routes it caches.
 */
export const fastifyCachekit: FastifyPluginAsync<CachekitFastifyOptions> = fp(cachekitPlugin, {
  fastify: '5.x',
  name: '@cachekit/fastify',
});

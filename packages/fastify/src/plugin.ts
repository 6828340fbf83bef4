import type { FastifyInstance, FastifyPluginAsync, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { createDecorator } from './decorator.js';
import { RouteBeforePluginError } from './errors.js';
import { Filler } from './fill.js';
import { COMPILED, type CompiledConfig, refuse, routeHooks } from './hooks.js';
import { type CachekitFastifyOptions, resolvePluginOptions } from './options.js';
import { routeBinding } from './route-binding.js';
import { compileRoute } from './route-config.js';
import type { PluginState } from './serve.js';

type Hook = (...args: never[]) => unknown;

function append(existing: unknown, hook: Hook): Hook[] {
  if (existing === undefined || existing === null) return [hook];
  return Array.isArray(existing) ? [...(existing as Hook[]), hook] : [existing as Hook, hook];
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
    const binding = routeBinding(label, routeOptions.url, routeOptions.constraints);
    const route = compileRoute(config, label, state.cache, resolved.principal, binding);
    const hooks = routeHooks(state, route);
    routeOptions.config = { ...routeOptions.config, [COMPILED]: route } as NonNullable<
      RouteOptions['config']
    >;
    routeOptions.preHandler = append(routeOptions.preHandler, hooks.preHandler) as never;
    routeOptions.onSend = append(routeOptions.onSend, hooks.onSend) as never;
  });

  // Every route of this scope and its children, including ones declared before the plugin.
  fastify.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config as unknown as CompiledConfig | undefined;
    const compiled = config?.[COMPILED];
    // A fill that reached another route (the client's target was routed differently): refused
    // before that route's own hooks and handler run.
    const fill = state.filler.fillOf(request);
    if (fill !== undefined && !state.filler.admits(fill, request, compiled)) {
      refuse(fill, reply);
      return;
    }
    const cache = config?.cache;
    if (cache === undefined || cache === false || compiled !== undefined) {
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

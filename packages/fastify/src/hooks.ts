import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FillState } from './fill.js';
import type { CompiledRoute } from './route-config.js';
import { lookup, type PluginState, respond } from './serve.js';

/** Key of the compiled route in the config of the routes this plugin caches. */
export const COMPILED: unique symbol = Symbol('cachekit.compiled');

/** A route config as this plugin leaves it. */
export type CompiledConfig = { [COMPILED]?: CompiledRoute; cache?: unknown } & Record<
  string,
  unknown
>;

/** Status of a fill refused by a route it was not issued for (never sent to a client). */
const MISDIRECTED = 421;

/** Refuses a fill that reached a route it was not issued for: the filler will not store it. */
export function refuse(fill: FillState, reply: FastifyReply): FastifyReply {
  fill.refused = true;
  return reply.code(MISDIRECTED).send();
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
export interface RouteHooks {
  preHandler(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  onSend(request: FastifyRequest, reply: FastifyReply, payload: unknown): Promise<unknown>;
}

/** The hooks of one cached route. */
export function routeHooks(state: PluginState, route: CompiledRoute): RouteHooks {
  // Runs after every other hook of the route (auth included), just before the handler.
  const preHandler = async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const fill = state.filler.fillOf(request);
    if (fill !== undefined) {
      if (!state.filler.admits(fill, request, route)) return refuse(fill, reply);
      fill.reached = true;
      return undefined;
    }
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
      return payload;
    }
    if (!state.served.has(request)) {
      reply.header('x-cache', 'BYPASS');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    }
    // This request's own cookie (a session refresh by an app hook...) is for this client only.
    if (reply.hasHeader('set-cookie')) reply.header('cache-control', 'private, no-store');
    return payload;
  };
  return { preHandler, onSend };
}

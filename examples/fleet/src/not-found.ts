import type { FastifyReply } from 'fastify';
import { UnknownMinerError } from './errors.js';

/**
 * Runs `read`; an unknown miner becomes a 404 (which the cache never stores), anything else
 * propagates to Fastify's error handler.
 */
export async function orNotFound<T>(
  reply: FastifyReply,
  read: () => Promise<T>,
): Promise<T | { statusCode: 404; error: string; message: string }> {
  try {
    return await read();
  } catch (error) {
    if (!(error instanceof UnknownMinerError)) throw error;
    reply.code(404);
    return { statusCode: 404, error: 'Not Found', message: error.message };
  }
}

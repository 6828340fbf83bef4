import { encodePart } from './encoding.js';

/**
 * The one place stream keys are joined: `{<prefix>:<session>}:<stream>`. The hash tag holds the
 * session, so every stream of one session lives in one Cluster slot and sessions spread over the
 * cluster.
 */
export function streamKey(prefix: string, sessionId: string, streamId: string): string {
  return `{${prefix}:${encodePart(sessionId)}}:${encodePart(streamId)}`;
}

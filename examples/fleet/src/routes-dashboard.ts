import type { FastifyInstance } from 'fastify';
import type { Asset } from './dashboard-assets.js';

// The page may load nothing from anywhere but this app.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** `GET /` (the dashboard) and its assets, with ETags (304 on `If-None-Match`). */
export function dashboardRoutes(app: FastifyInstance, assets: ReadonlyMap<string, Asset>): void {
  for (const [path, file] of assets) {
    app.get(path, async (request, reply) => {
      reply
        .header('content-type', file.contentType)
        .header('cache-control', file.cacheControl)
        .header('etag', file.etag)
        .header('x-content-type-options', 'nosniff');
      if (path === '/') reply.header('content-security-policy', CSP);
      const match = request.headers['if-none-match'];
      if (match?.split(/\s*,\s*/).includes(file.etag)) {
        return reply.code(304).send();
      }
      return reply.send(file.body);
    });
  }
}

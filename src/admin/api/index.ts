// The admin JSON API under /api/v1, for automation: the operations of the admin web UI, behind
// `Authorization: Bearer <ADMIN_TOKEN>`. One encapsulated plugin, so its auth hook, body parsers
// and JSON error answers apply to every route in it (and to its 404s) and to nothing else.
import type { FastifyInstance } from 'fastify';
import { registerAlertRoutes } from './alerts.js';
import { bearerAuth } from './auth.js';
import type { ApiDeps } from './context.js';
import { registerDigestRoutes } from './digests.js';
import { apiErrorHandler, sendError } from './errors.js';
import { registerNewsletterActions } from './newsletter-actions.js';
import { registerNewsletterRoutes } from './newsletters.js';
import { registerOpmlRoutes, OPML_TYPES } from './sources-opml.js';
import { registerSourceRoutes } from './sources.js';
import { CSV_TYPES, registerSubscriberCsvRoutes } from './subscribers-csv.js';
import { registerSubscriberRoutes } from './subscribers.js';

export type { AdminApiOptions } from './context.js';
export const API_PREFIX = '/api/v1';

const MB = 1024 * 1024;
const JSON_LIMIT = 1 * MB;
// A CSV of 100,000 subscribers is about 5 MB; beyond this, import with the CLI (it streams).
const CSV_LIMIT = 32 * MB;
const OPML_LIMIT = 4 * MB;

export function registerAdminApi(app: FastifyInstance, deps: ApiDeps): void {
  void app.register(
    async (api) => {
      api.removeAllContentTypeParsers();
      api.addContentTypeParser(/^application\/([\w.+-]+\+)?json$/i, { parseAs: 'string', bodyLimit: JSON_LIMIT }, api.getDefaultJsonParser('error', 'error'));
      api.addContentTypeParser([...CSV_TYPES], { parseAs: 'buffer', bodyLimit: CSV_LIMIT }, (_request, body, done) => done(null, body));
      api.addContentTypeParser([...OPML_TYPES], { parseAs: 'buffer', bodyLimit: OPML_LIMIT }, (_request, body, done) => done(null, body));

      api.addHook('onRequest', bearerAuth(deps));
      // Answers name subscribers and carry admin data: no cache may keep them.
      api.addHook('onSend', async (_request, reply, payload) => {
        reply.header('cache-control', 'no-store');
        return payload;
      });
      api.setErrorHandler(apiErrorHandler);
      api.setNotFoundHandler((request, reply) =>
        sendError(
          reply,
          404,
          'not_found',
          `No route ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}; the routes are listed in the README ("Admin API").`,
        ),
      );

      registerNewsletterRoutes(api, deps);
      registerNewsletterActions(api, deps);
      registerDigestRoutes(api, deps);
      registerSourceRoutes(api, deps);
      registerOpmlRoutes(api, deps);
      registerSubscriberRoutes(api, deps);
      registerSubscriberCsvRoutes(api, deps);
      registerAlertRoutes(api, deps);
    },
    { prefix: API_PREFIX },
  );
}

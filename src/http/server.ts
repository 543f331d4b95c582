// The HTTP application, built but not listening: main.ts decides where it listens, tests use
// app.inject(). Every response carries the security headers, and every failure, including
// fastify's own (malformed URLs, unknown routes), is a plain HTML page without internals.
import fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Kysely } from 'kysely';
import type { SenderInfo } from '../digest/model.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import { registerArchive } from './archive.js';
import { type BounceHookOptions, registerBounceHook } from './bounce-hook.js';
import { registerTelegramWebhook, type TelegramWebhookOptions } from '../bot/webhook.js';
import { type AdminWebOptions, registerAdminWeb } from '../admin/web/index.js';
import { type AdminApiOptions, registerAdminApi } from '../admin/api/index.js';
import { type OpsRoutesOptions, registerOpsRoutes } from '../ops/routes.js';
import type { SubscriberPagesOptions } from './page-kit.js';
import { errorPage } from './pages.js';
import { registerSubscriberPages } from './subscriber-routes.js';
import { addSecurityHeaders, CACHE_NONE, SECURITY_HEADERS } from './security.js';

export interface HttpDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  sender: SenderInfo;
  /** Subscribe, confirm, unsubscribe and preferences pages; absent: the archive only. */
  subscribers?: SubscriberPagesOptions;
  /** The bounce webhook (BOUNCE_WEBHOOK_SECRET); absent: POST /hooks/bounces is a 404. */
  bounces?: BounceHookOptions;
  /** fastify's trustProxy (HTTP_TRUST_PROXY): client IPs for rate limits and consent records. */
  trustProxy?: boolean | string;
  /** TELEGRAM_MODE=webhook: POST /telegram/webhook feeds the bot; absent: a 404. */
  telegramWebhook?: TelegramWebhookOptions;
  /** The admin web UI under /admin (login with ADMIN_PASSWORD_HASH or ADMIN_TOKEN); absent: /admin is a 404. */
  admin?: AdminWebOptions;
  /** The admin JSON API under /api/v1 (bearer ADMIN_TOKEN; without the token every route is a 503). */
  api?: AdminApiOptions;
  /** GET /readyz and /metrics (src/ops); absent: both are 404s, /healthz stays. */
  ops?: OpsRoutesOptions;
}

const HTML = 'text/html; charset=utf-8';

/** Client errors keep their status (400, 405, 413…); anything else is a 500. */
function statusOf(err: unknown): number {
  const code = (err as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
}

/** Synchronous; call `app.ready()` or `listen()` next (the subscriber pages and bounce hook are plugins, loaded then). */
export function buildServer(deps: HttpDeps): FastifyInstance {
  const app = fastify({
    // pino's Logger is a FastifyBaseLogger at runtime; fastify's generics just cannot see it.
    loggerInstance: deps.log as FastifyBaseLogger,
    trustProxy: deps.trustProxy ?? false,
    // One line per failure is logged below; a line per archive view would drown the log.
    logController: new LogController({ disableRequestLogging: true }),
    // Routing errors (a malformed %-escape) would otherwise answer with fastify's JSON.
    frameworkErrors: (err, _request, reply) => {
      const status = statusOf(err);
      // These replies skip the onSend hooks, so the headers are set here too.
      void (reply as FastifyReply).code(status).headers(SECURITY_HEADERS).header('cache-control', CACHE_NONE).type(HTML).send(errorPage(status));
    },
  });

  addSecurityHeaders(app);
  app.setNotFoundHandler((_request, reply) => reply.code(404).type(HTML).send(errorPage(404)));
  app.setErrorHandler((err, request, reply) => {
    const status = statusOf(err);
    // Without the query string: it may hold an unsubscribe token or the webhook secret.
    const url = request.url.split('?')[0];
    if (status >= 500) request.log.error({ err, url }, 'http request failed');
    else request.log.debug({ err: (err as Error).message, url }, 'http client error');
    return reply.code(status).type(HTML).send(errorPage(status));
  });

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ ok: true }));
  registerArchive(app, deps);
  if (deps.subscribers) registerSubscriberPages(app, { ...deps.subscribers, db: deps.db, log: deps.log, now: deps.now, sender: deps.sender });
  if (deps.bounces) registerBounceHook(app, { ...deps.bounces, db: deps.db, log: deps.log, now: deps.now });
  if (deps.telegramWebhook) registerTelegramWebhook(app, { ...deps.telegramWebhook, log: deps.log });
  if (deps.admin) registerAdminWeb(app, { ...deps.admin, db: deps.db, log: deps.log, now: deps.now, sender: deps.sender });
  if (deps.api) registerAdminApi(app, { ...deps.api, db: deps.db, log: deps.log, now: deps.now, sender: deps.sender });
  if (deps.ops) registerOpsRoutes(app, deps.ops);
  return app;
}

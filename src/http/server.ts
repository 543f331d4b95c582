// The HTTP application, built but not listening: main.ts decides where it listens, tests use
// app.inject(). Every response carries the security headers, and every failure, including
// fastify's own (malformed URLs, unknown routes), is a plain HTML page without internals.
import fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, LogController } from 'fastify';
import type { Kysely } from 'kysely';
import type { SenderInfo } from '../digest/model.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import { registerArchive } from './archive.js';
import { errorPage } from './pages.js';
import { addSecurityHeaders, CACHE_NONE, SECURITY_HEADERS } from './security.js';

export interface HttpDeps {
  db: Kysely<Database>;
  log: Logger;
  now: () => Date;
  sender: SenderInfo;
}

const HTML = 'text/html; charset=utf-8';

/** Client errors keep their status (400, 405, 413…); anything else is a 500. */
function statusOf(err: unknown): number {
  const code = (err as { statusCode?: unknown }).statusCode;
  return typeof code === 'number' && code >= 400 && code < 500 ? code : 500;
}

/** Synchronous: routes are registered before it returns; call `app.ready()` or `listen()` next. */
export function buildServer(deps: HttpDeps): FastifyInstance {
  const app = fastify({
    // pino's Logger is a FastifyBaseLogger at runtime; fastify's generics just cannot see it.
    loggerInstance: deps.log as FastifyBaseLogger,
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
    if (status >= 500) request.log.error({ err, url: request.url }, 'http request failed');
    else request.log.debug({ err: (err as Error).message, url: request.url }, 'http client error');
    return reply.code(status).type(HTML).send(errorPage(status));
  });

  app.get('/healthz', async (_request, reply) => reply.header('cache-control', 'no-store').send({ ok: true }));
  registerArchive(app, deps);
  return app;
}

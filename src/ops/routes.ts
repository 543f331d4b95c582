// GET /metrics and GET /readyz, and createOps (what the service wires). Metrics describe the
// installation (subscriber and delivery counts, failing sources), so they are not public: with
// METRICS_TOKEN set a scraper must send it as a bearer token; without one only this machine may
// read them. The client address is the socket's, never X-Forwarded-For, which any client can write.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { tokenMatches } from '../admin/password.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import { METRICS_CONTENT_TYPE } from './metrics.js';
import { createOpsMetrics, type OpsMetrics } from './ops-metrics.js';
import { createReadiness, type Readiness } from './readiness.js';

export interface OpsRoutesOptions {
  readiness: Readiness;
  /** Absent: GET /metrics is a 404. */
  metrics?: OpsMetrics;
  /** METRICS_TOKEN: required as `Authorization: Bearer …`; absent: loopback clients only. */
  metricsToken?: string;
}

const LOOPBACK_ADDRESS = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

export function isLoopbackAddress(address: string | undefined): boolean {
  return address !== undefined && LOOPBACK_ADDRESS.test(address);
}

type Verdict = { ok: true } | { ok: false; status: 401 | 403; message: string };

function mayReadMetrics(request: FastifyRequest, token: string | undefined): Verdict {
  if (token !== undefined) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (m && tokenMatches(m[1]!, token)) return { ok: true };
    return { ok: false, status: 401, message: 'Unauthorized: send METRICS_TOKEN as "Authorization: Bearer <token>".\n' };
  }
  if (isLoopbackAddress(request.socket.remoteAddress)) return { ok: true };
  return {
    ok: false,
    status: 403,
    message:
      'Forbidden: /metrics is served only to clients on this machine. Set METRICS_TOKEN (16+ characters) and scrape with "Authorization: Bearer <token>" to read it from elsewhere.\n',
  };
}

export function registerOpsRoutes(app: FastifyInstance, opts: OpsRoutesOptions): void {
  app.get('/readyz', async (_request, reply) => {
    const report = await opts.readiness.check();
    return reply
      .code(report.ready ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });

  app.get('/metrics', async (request, reply) => {
    if (!opts.metrics) return reply.callNotFound();
    const verdict = mayReadMetrics(request, opts.metricsToken);
    if (!verdict.ok) {
      if (verdict.status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
      return reply.code(verdict.status).type('text/plain; charset=utf-8').send(verdict.message);
    }
    return reply
      .header('cache-control', 'no-store')
      .type(METRICS_CONTENT_TYPE)
      .send(await opts.metrics.render());
  });
}

/** What the service wires: the metrics, the readiness switch, and buildServer's `ops` options. */
export interface Ops {
  metrics: OpsMetrics;
  readiness: Readiness;
  /** Pass as `ops` to buildServer. */
  routes: OpsRoutesOptions;
  close(): void;
}

export function createOps(deps: { db: Kysely<Database>; log: Logger; now: () => Date; config: Pick<Config, 'metricsToken'> }): Ops {
  const metrics = createOpsMetrics({ db: deps.db, log: deps.log, now: deps.now });
  const readiness = createReadiness({ db: deps.db, log: deps.log });
  return {
    metrics,
    readiness,
    routes: { metrics, readiness, metricsToken: deps.config.metricsToken },
    close: () => metrics.close(),
  };
}

// /api/v1/alerts (open ones, or all) with acknowledgement, and /api/v1/audit: the admin log,
// newest first, including refused API requests (actor "api").
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { acknowledgeAlert, listAlerts } from '../../store/alerts.js';
import { listAudit } from '../../store/bot.js';
import { type ApiDeps, changed, idParam, queryOf } from './context.js';
import { conflict, notFound } from './errors.js';
import { alertJson, auditJson } from './present.js';

const limit = z.coerce.number().int().min(1).max(1000).default(100);

export function registerAlertRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/alerts', async (request) => {
    const q = queryOf(request, z.strictObject({ all: z.enum(['true', 'false']).optional(), limit }));
    return { alerts: (await listAlerts(deps.db, { limit: q.limit, all: q.all === 'true' })).map(alertJson) };
  });

  api.post('/alerts/:id/ack', async (request) => {
    const id = idParam(request);
    if (!(await acknowledgeAlert(deps.db, id, deps.now()))) {
      const row = await deps.db.selectFrom('alerts').select('acknowledged_at').where('id', '=', id).executeTakeFirst();
      if (!row) throw notFound(`No alert ${id}; see GET /api/v1/alerts.`);
      throw conflict(`Alert ${id} was already acknowledged at ${row.acknowledged_at}.`);
    }
    await changed(deps, 'alert.ack', `alert ${id} acknowledged`);
    const row = await deps.db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    return alertJson(row);
  });

  api.get('/audit', async (request) => {
    const q = queryOf(request, z.strictObject({ limit, actor: z.string().max(100).optional() }));
    return { entries: (await listAudit(deps.db, { limit: q.limit, actor: q.actor })).map(auditJson) };
  });
}

// /api/v1/alerts (open ones, or all) with acknowledgement, /api/v1/stats (the numbers the
// dashboard and the bot's /stats show) and /api/v1/audit: the admin log, newest first, including
// refused API requests.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { acknowledgeAlert, listAlerts } from '../../core/alerts.js';
import { adminStats } from '../../core/stats.js';
import { listAudit } from '../../store/bot.js';
import { type ApiDeps, coreContext, idParam, queryOf } from './context.js';
import { alertJson, auditJson, sourceJson } from './present.js';

const limit = z.coerce.number().int().default(100);

export function registerAlertRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/alerts', async (request) => {
    const q = queryOf(request, z.strictObject({ all: z.enum(['true', 'false']).optional(), limit }));
    return { alerts: (await listAlerts(coreContext(deps), { limit: q.limit, all: q.all === 'true' })).map(alertJson) };
  });

  api.post('/alerts/:id/ack', async (request) => alertJson(await acknowledgeAlert(coreContext(deps), idParam(request))));

  api.get('/stats', async () => {
    const s = await adminStats(coreContext(deps));
    return { subscriptions: s.subscriptions, lastDigests: s.lastDigests, failingSources: s.failingSources.map(sourceJson), openAlerts: s.openAlerts };
  });

  api.get('/audit', async (request) => {
    const q = queryOf(request, z.strictObject({ limit: limit.pipe(z.number().min(1).max(1000)), actor: z.string().max(100).optional() }));
    return { entries: (await listAudit(deps.db, { limit: q.limit, actor: q.actor })).map(auditJson) };
  });
}

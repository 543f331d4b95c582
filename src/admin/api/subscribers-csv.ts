// CSV in and out through the core's import and export: POST /subscribers/import takes the file
// as a text/csv body (UTF-8, UTF-16 or GBK, sniffed); GET /subscribers/export streams email
// subscriptions a chunk at a time, so a large list never sits in memory.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportSubscribersCsv, importSubscribersCsv } from '../../core/subscribers-csv.js';
import { coreContext, type ApiDeps, queryOf, textBody } from './context.js';

export const CSV_TYPES = ['text/csv', 'application/csv', 'text/plain'] as const;
const bool = z.enum(['true', 'false']).optional();
const importQuery = z.strictObject({
  newsletter: z.string({ error: 'give ?newsletter=<id or slug>: the newsletter to subscribe them to' }),
  status: z.string().optional(),
  consentVersion: z.string().optional(),
  dryRun: bool,
});
const exportQuery = z.strictObject({ newsletter: z.string().optional(), status: z.string().optional(), bom: bool });

export function registerSubscriberCsvRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.post('/subscribers/import', async (request) => {
    const q = queryOf(request, importQuery);
    const body = textBody(request, CSV_TYPES);
    const { newsletter, ...report } = await importSubscribersCsv(coreContext(deps), { ...q, dryRun: q.dryRun === 'true', bytes: Readable.from([body]) });
    return { ...report, newsletter: newsletter.slug };
  });

  api.get('/subscribers/export', async (request, reply) => {
    const q = queryOf(request, exportQuery);
    const { chunks } = await exportSubscribersCsv(coreContext(deps), { ...q, bom: q.bom === 'true' });
    return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-subscribers.csv"').send(Readable.from(chunks));
  });
}

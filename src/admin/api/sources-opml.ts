// /api/v1/sources/opml: every source as OPML (GET), and adding every feed of an OPML document
// (POST, the document as the body; ?dryRun=true only reports) through the core's import, with the
// same rules as every other front-end.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { exportOpml, importOpml } from '../../core/sources-opml.js';
import { type ApiDeps, coreContext, queryOf, textBody } from './context.js';

export const OPML_TYPES = ['text/x-opml', 'application/xml', 'text/xml'] as const;

export function registerOpmlRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/sources/opml', async (_request, reply) => {
    const { xml } = await exportOpml(coreContext(deps));
    return reply.type('text/x-opml; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-sources.opml"').send(xml);
  });

  api.post('/sources/opml', async (request) => {
    const { dryRun } = queryOf(request, z.strictObject({ dryRun: z.enum(['true', 'false']).optional() }));
    const xml = textBody(request, OPML_TYPES).toString('utf8');
    const r = await importOpml({ ...coreContext(deps), sourceIntervalMinutes: deps.sourceIntervalMinutes }, { xml, dryRun: dryRun === 'true' });
    const rejected = r.outcomes.filter((o) => o.outcome === 'rejected').map((o) => ({ line: o.name, reason: o.reason ?? '' }));
    return { dryRun: r.dryRun, added: r.added, alreadyPresent: r.alreadyPresent, rejected, outcomes: r.outcomes };
  });
}

// /api/v1/digests: the digests built so far (newest slot first) and one digest with its
// deliveries counted per channel. Listings leave the rendered parts out.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { deliveryCounts } from '../../deliver/ledger.js';
import { getDigest } from '../../store/digests.js';
import { getNewsletter } from '../../store/newsletters.js';
import { type ApiDeps, idParam, queryOf } from './context.js';
import { notFound } from './errors.js';
import { digestJson } from './present.js';

const listQuery = z.strictObject({
  newsletter: z.string().optional(),
  status: z.enum(['building', 'ready', 'skipped', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(20),
});

const LISTED = ['id', 'newsletter_id', 'slot_at', 'status', 'reason', 'subject', 'article_ids', 'window_start', 'window_end', 'covers', 'created_at', 'completed_at'] as const;

export function registerDigestRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/digests', async (request) => {
    const q = queryOf(request, listQuery);
    let newsletterId: number | undefined;
    if (q.newsletter !== undefined) {
      const row = await getNewsletter(deps.db, /^\d{1,15}$/.test(q.newsletter) ? Number(q.newsletter) : q.newsletter);
      if (!row) throw notFound(`No newsletter "${q.newsletter.slice(0, 80)}"; see GET /api/v1/newsletters.`);
      newsletterId = row.id;
    }
    const rows = await deps.db
      .selectFrom('digests')
      .select(LISTED)
      .$if(newsletterId !== undefined, (qb) => qb.where('newsletter_id', '=', newsletterId!))
      .$if(q.status !== undefined, (qb) => qb.where('status', '=', q.status!))
      .orderBy('slot_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit)
      .execute();
    return { digests: rows.map((r) => digestJson({ ...r, model: null, preheader: null, html: null, text: null, telegram: null })) };
  });

  api.get('/digests/:id', async (request) => {
    const id = idParam(request);
    const row = await getDigest(deps.db, id);
    if (!row) throw notFound(`No digest ${id}; see GET /api/v1/digests.`);
    const [email, telegram] = await Promise.all([deliveryCounts(deps.db, { digestId: id, channel: 'email' }), deliveryCounts(deps.db, { digestId: id, channel: 'telegram' })]);
    return { ...digestJson(row), preheader: row.preheader, deliveries: { email, telegram } };
  });
}

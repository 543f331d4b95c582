// /api/v1/digests: the digests built so far (newest slot first) and one digest with its
// deliveries counted per channel. Listings leave the rendered parts out.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { listDigests, MAX_DIGESTS_LISTED, showDigest } from '../../core/digests.js';
import { type ApiDeps, coreContext, idParam, queryOf } from './context.js';
import { digestJson } from './present.js';

const listQuery = z.strictObject({
  newsletter: z.string().optional(),
  status: z.enum(['building', 'ready', 'skipped', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_DIGESTS_LISTED).default(20),
});

export function registerDigestRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/digests', async (request) => {
    const rows = await listDigests(coreContext(deps), queryOf(request, listQuery));
    return { digests: rows.map(digestJson) };
  });

  api.get('/digests/:id', async (request) => {
    const { digest, deliveries } = await showDigest(coreContext(deps), idParam(request));
    return { ...digestJson(digest), preheader: digest.preheader, deliveries };
  });
}

// /api/v1/sources/opml: every source as OPML (GET), and adding every feed of an OPML document
// (POST, the document as the body), as `tidings sources export|import` do. Outlines that are not
// http(s) sources are rejected with a reason: local folders are added with the CLI.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOpml, toOpml } from '../../sources/opml.js';
import { addSource, DuplicateSourceError, getSource, listSources, sourceOptions } from '../../store/sources.js';
import { type ApiDeps, changed, queryOf, textBody } from './context.js';
import { badRequest } from './errors.js';

export const OPML_TYPES = ['text/x-opml', 'application/xml', 'text/xml'] as const;

export function registerOpmlRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/sources/opml', async (_request, reply) => {
    const rows = await listSources(deps.db);
    const xml = toOpml(
      rows.map((r) => ({ kind: r.kind, url: r.url, name: r.name, options: sourceOptions(r) })),
      deps.now(),
    );
    return reply.type('text/x-opml; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-sources.opml"').send(xml);
  });

  api.post('/sources/opml', async (request) => {
    const { dryRun } = queryOf(request, z.strictObject({ dryRun: z.enum(['true', 'false']).optional() }));
    const { entries, rejected } = parseOpml(textBody(request, OPML_TYPES).toString('utf8'));
    if (entries.length === 0 && rejected.some((r) => r.line === '(document)')) throw badRequest('The body is not an OPML document (no <opml> element).');
    let added = 0;
    let existing = 0;
    const addedUrls: string[] = [];
    for (const e of entries) {
      if (!/^https?:\/\//i.test(e.url)) {
        rejected.push({ line: e.name, reason: `not an http(s) URL: ${e.url} (local folders are added with \`tidings sources add\`)` });
        continue;
      }
      if (dryRun === 'true') {
        if (await getSource(deps.db, e.url)) existing++;
        else added++;
        continue;
      }
      try {
        await addSource(deps.db, { kind: e.kind, url: e.url, name: e.name, intervalMinutes: deps.sourceIntervalMinutes, options: e.options }, deps.now());
        added++;
        addedUrls.push(e.url);
      } catch (err) {
        if (!(err instanceof DuplicateSourceError)) throw err;
        existing++;
      }
    }
    if (added > 0 && dryRun !== 'true') await changed(deps, 'source.import', `OPML import: ${added} sources added (${addedUrls.slice(0, 20).join(' ')}${addedUrls.length > 20 ? ' …' : ''}), ${existing} already present, ${rejected.length} rejected`);
    return { dryRun: dryRun === 'true', added, alreadyPresent: existing, rejected };
  });
}

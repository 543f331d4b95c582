// OPML in and out: import adds every feed of an uploaded or pasted file (what `sources import`
// does), export downloads all sources. Local paths in an OPML file are refused here, as in the form.
import type { FastifyInstance } from 'fastify';
import { formValue } from '../../http/forms.js';
import { isHttpUrl } from '../../sources/local.js';
import { parseOpml, toOpml } from '../../sources/opml.js';
import { addSource, DuplicateSourceError, listSources, sourceOptions } from '../../store/sources.js';
import { auditChange, sendPage } from './context.js';
import { uploadedFile } from './body.js';
import { h, table } from './layout.js';
import type { AdminDeps } from './types.js';

export function registerSourcesOpml(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  app.get('/admin/sources.opml', async (request, reply) => {
    const rows = await listSources(db);
    const xml = toOpml(
      rows.map((r) => ({ kind: r.kind, url: r.url, name: r.name, options: sourceOptions(r) })),
      deps.now(),
    );
    await auditChange(deps, request, 'sources.export', `${rows.length} sources as OPML`);
    return reply.type('text/x-opml; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-sources.opml"').send(xml);
  });

  app.post('/admin/sources/opml', async (request, reply) => {
    const xml = uploadedFile(request.body, 'opml')?.toString('utf8') ?? formValue(request.body, 'opml_text') ?? '';
    if (xml.trim() === '') return sendPage(request, reply, 'Import OPML', '<h1>Import OPML</h1><p><a href="/admin/sources">Back to sources</a></p>', { problem: 'Choose an OPML file or paste one.', status: 400 });
    const { entries, rejected } = parseOpml(xml);
    const outcome: string[][] = [];
    let added = 0;
    for (const e of entries) {
      if (e.kind === 'textdump' || !isHttpUrl(e.url)) {
        outcome.push([h(e.name), h(e.url), 'refused: only http(s) feeds and pages are added from the web']);
        continue;
      }
      try {
        await addSource(db, { kind: e.kind, url: e.url, name: e.name, intervalMinutes: deps.sourceIntervalMinutes, options: e.options }, deps.now());
        added++;
        outcome.push([h(e.name), h(e.url), 'added']);
      } catch (err) {
        if (!(err instanceof DuplicateSourceError)) throw err;
        outcome.push([h(e.name), h(e.url), 'already present']);
      }
    }
    for (const r of rejected) outcome.push([h(r.line), '', h(`rejected: ${r.reason}`)]);
    await auditChange(deps, request, 'sources.import', `OPML: ${added} added of ${entries.length} entries, ${rejected.length} rejected`, added > 0 || rejected.length === 0);
    const body = `<h1>Import OPML</h1><p>Added ${added} of ${entries.length} sources; ${rejected.length} outlines rejected.</p>${table(['Name', 'URL', 'Outcome'], outcome, 'The file had no outlines.')}<p><a href="/admin/sources">Back to sources</a></p>`;
    return sendPage(request, reply, 'Import OPML', body);
  });
}

// OPML in and out: import adds every feed of an uploaded or pasted file through the core's import
// (the rules of every front-end; local paths are the CLI's), export downloads all sources.
import type { FastifyInstance } from 'fastify';
import { isCoreError } from '../../core/errors.js';
import { exportOpml, importOpml, importSummary, type OpmlOutcome } from '../../core/sources-opml.js';
import { formValue } from '../../http/forms.js';
import { uploadedFile } from './body.js';
import { coreContext, problemOf, sendPage } from './context.js';
import { h, table } from './layout.js';
import type { AdminDeps } from './types.js';

const BACK = '<p><a href="/admin/sources">Back to sources</a></p>';
const SHOWN: Record<OpmlOutcome['outcome'], string> = { added: 'added', present: 'already present', rejected: 'rejected' };

export function registerSourcesOpml(app: FastifyInstance, deps: AdminDeps): void {
  app.get('/admin/sources.opml', async (request, reply) => {
    const { xml } = await exportOpml(coreContext(deps, request));
    return reply.type('text/x-opml; charset=utf-8').header('content-disposition', 'attachment; filename="tidings-sources.opml"').send(xml);
  });

  app.post('/admin/sources/opml', async (request, reply) => {
    const xml = uploadedFile(request.body, 'opml')?.toString('utf8') || formValue(request.body, 'opml_text') || '';
    try {
      const r = await importOpml({ ...coreContext(deps, request), sourceIntervalMinutes: deps.sourceIntervalMinutes }, { xml });
      const rows = r.outcomes.map((o) => [h(o.name), h(o.url), h(o.reason ? `${SHOWN[o.outcome]}: ${o.reason}` : SHOWN[o.outcome])]);
      const body = `<h1>Import OPML</h1><p>${h(importSummary(r))}</p>${table(['Name', 'URL', 'Outcome'], rows, 'The file had no outlines.')}${BACK}`;
      return sendPage(request, reply, 'Import OPML', body);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return sendPage(request, reply, 'Import OPML', `<h1>Import OPML</h1>${BACK}`, problemOf(err));
    }
  });
}

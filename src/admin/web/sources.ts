// Sources: the list with each one's health, pause / resume / remove, and adding one after a test
// fetch shows what it would bring in. Only http(s) sources are added here: a web form must not
// be a way to read the server's files (folders of text dumps are added with the CLI).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formValue } from '../../http/forms.js';
import { isHttpUrl } from '../../sources/local.js';
import { type KindChoice, type Probe, ProbeError, probeSource } from '../../sources/probe.js';
import { FetchError, type SourceKind } from '../../sources/types.js';
import { countArticles } from '../../store/articles.js';
import { addSource, DuplicateSourceError, getSource, listSources, pauseSource, removeSource, resumeSource } from '../../store/sources.js';
import type { SourceRow } from '../../store/schema.js';
import { auditChange, csrfOf, idParam, notFound, sendPage, seeOther } from './context.js';
import { csrfField, h, hidden, postButton, table, utc } from './layout.js';
import type { AdminDeps } from './types.js';

const KINDS: readonly KindChoice[] = ['auto', 'feed', 'page'];
const PREVIEW_ITEMS = 20;

function health(s: SourceRow): string {
  if (!s.enabled) return `<strong>paused</strong>${s.paused_reason ? `: ${h(s.paused_reason)}` : ''}`;
  if (s.consecutive_failures > 0) return `<span class="error">failing ×${s.consecutive_failures}</span>: ${h(s.last_error ?? '')}`;
  return h(s.last_status ?? 'not fetched yet');
}

function addForm(csrf: string, values: { url?: string; kind?: string; name?: string } = {}): string {
  const kinds = KINDS.map((k) => `<option value="${k}"${values.kind === k ? ' selected' : ''}>${k}</option>`).join('');
  return (
    `<form method="post" action="/admin/sources/test">${csrfField(csrf)}` +
    `<label for="url">Feed or page URL</label><input type="url" id="url" name="url" value="${h(values.url ?? '')}" required placeholder="https://example.org/feed.xml">` +
    `<label for="kind">Kind</label><select id="kind" name="kind">${kinds}</select>` +
    `<label for="name">Name (default: the feed's title)</label><input type="text" id="name" name="name" value="${h(values.name ?? '')}">` +
    '<p><button type="submit">Test fetch</button></p></form>'
  );
}

export function registerSources(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  const listPage = async (request: FastifyRequest, reply: FastifyReply, opts: { notice?: string; problem?: string; status?: number } = {}) => {
    const csrf = csrfOf(request);
    const rows = (await listSources(db)).map((s) => [
      `<span id="source-${s.id}">${h(s.name)}</span><br><span class="meta">${h(s.kind)} #${s.id}</span>`,
      health(s),
      h(utc(s.last_fetched_at)),
      `<span class="url">${h(s.url)}</span>`,
      (s.enabled ? postButton(`/admin/sources/${s.id}/pause`, 'Pause', csrf, { style: 'secondary' }) : postButton(`/admin/sources/${s.id}/resume`, 'Resume', csrf)) +
        postButton(`/admin/sources/${s.id}/remove`, 'Remove', csrf, { style: 'danger' }),
    ]);
    const body =
      '<h1>Sources</h1>' +
      table(['Source', 'Health', 'Last fetch', 'URL', ''], rows, 'No sources yet.') +
      '<h2>Add a source</h2>' +
      addForm(csrf) +
      '<h2>OPML</h2><p><a href="/admin/sources.opml">Download all sources as OPML</a></p>' +
      `<form method="post" action="/admin/sources/opml" enctype="multipart/form-data">${csrfField(csrf)}` +
      '<label for="opml">OPML file</label><input type="file" id="opml" name="opml" accept=".opml,.xml,text/xml">' +
      '<label for="opml_text">…or paste it</label><textarea id="opml_text" name="opml_text"></textarea>' +
      '<p><button type="submit">Import OPML</button></p></form>';
    return sendPage(request, reply, 'Sources', body, opts);
  };

  app.get('/admin/sources', async (request, reply) => listPage(request, reply));

  // A POST although it changes nothing: it makes the server fetch a URL, which a link must not.
  app.post('/admin/sources/test', async (request, reply) => {
    const url = (formValue(request.body, 'url') ?? '').trim();
    const kind = (formValue(request.body, 'kind') ?? 'auto') as KindChoice;
    const name = (formValue(request.body, 'name') ?? '').trim();
    const csrf = csrfOf(request);
    const again = (problem: string) => sendPage(request, reply, 'Add a source', `<h1>Add a source</h1>${addForm(csrf, { url, kind, name })}`, { problem, status: 400 });
    if (!isHttpUrl(url)) return again('Give an http:// or https:// URL. (Folders of text dumps are added with `tidings sources add`.)');
    if (!KINDS.includes(kind)) return again('Choose a kind: auto, feed or page.');
    let probe: Probe;
    try {
      probe = await probeSource(url, kind, {}, { fetcher: deps.fetcher, readers: deps.readers, log: deps.log, now: deps.now });
    } catch (err) {
      if (!(err instanceof FetchError || err instanceof ProbeError)) throw err;
      return again(`The test fetch failed: ${(err as Error).message}`);
    }
    const items = probe.feed.items.slice(0, PREVIEW_ITEMS).map((i) => [
      i.link && isHttpUrl(i.link) ? `<a href="${h(i.link)}" rel="noreferrer">${h(i.title ?? i.link)}</a>` : h(i.title ?? '(untitled)'),
      h(i.published ? utc(i.published.toISOString()) : '-'),
    ]);
    const finalName = name || probe.feed.feed.title || url;
    const body =
      `<h1>Test fetch: ${h(finalName)}</h1>` +
      `<p>Read <strong id="item-count">${probe.feed.items.length}</strong> items as a ${h(probe.kind)} source${probe.feed.bozo ? ' (the document was malformed but readable)' : ''}.</p>` +
      table(['Item', 'Published'], items, 'No items: the source answered, but nothing would be ingested.') +
      `<form method="post" action="/admin/sources">${csrfField(csrf)}${hidden({ url, kind: probe.kind, name: finalName })}` +
      '<p><button type="submit">Add this source</button> <a href="/admin/sources">Cancel</a></p></form>';
    return sendPage(request, reply, 'Test fetch', body);
  });

  app.post('/admin/sources', async (request, reply) => {
    const url = (formValue(request.body, 'url') ?? '').trim();
    const kind = formValue(request.body, 'kind') as SourceKind;
    const name = (formValue(request.body, 'name') ?? '').trim() || url;
    if (!isHttpUrl(url) || (kind !== 'feed' && kind !== 'page')) return listPage(request, reply, { problem: 'Test-fetch the source first, then add it from the preview.', status: 400 });
    try {
      const row = await addSource(db, { kind, url, name, intervalMinutes: deps.sourceIntervalMinutes }, deps.now());
      await auditChange(deps, request, 'source.add', `source ${row.id} ${row.kind} ${row.url}`);
      return listPage(request, reply, { notice: `Added source ${row.id} "${row.name}"; it is fetched at the service's next ingest.` });
    } catch (err) {
      if (!(err instanceof DuplicateSourceError)) throw err;
      return listPage(request, reply, { problem: `A source with the URL ${url} already exists.`, status: 409 });
    }
  });

  for (const verb of ['pause', 'resume'] as const) {
    app.post(`/admin/sources/:id/${verb}`, async (request, reply) => {
      const id = idParam(request);
      const row = id === undefined ? undefined : verb === 'pause' ? await pauseSource(db, id, 'paused by an admin', deps.now()) : await resumeSource(db, id, deps.now());
      if (!row) return notFound(request, reply, 'source');
      await auditChange(deps, request, `source.${verb}`, `source ${row.id} ${row.url}`);
      return seeOther(reply, '/admin/sources');
    });
  }

  app.post('/admin/sources/:id/remove', async (request, reply) => {
    const id = idParam(request);
    const row = id === undefined ? undefined : await getSource(db, id);
    if (!row) return notFound(request, reply, 'source');
    const articles = await countArticles(db, { sourceId: row.id });
    if (articles > 0 && formValue(request.body, 'confirm') !== 'yes') {
      const body =
        `<h1>Remove ${h(row.name)}?</h1><p>It has ${articles} stored articles; removing the source deletes them too. Pausing it keeps them.</p>` +
        postButton(`/admin/sources/${row.id}/remove`, `Remove it and its ${articles} articles`, csrfOf(request), { style: 'danger', fields: { confirm: 'yes' } }) +
        postButton(`/admin/sources/${row.id}/pause`, 'Pause instead', csrfOf(request), { style: 'secondary' });
      return sendPage(request, reply, 'Remove source', body);
    }
    await removeSource(db, row.id);
    await auditChange(deps, request, 'source.remove', `source ${row.id} ${row.url} (${articles} articles)`);
    return listPage(request, reply, { notice: `Removed source ${row.id} "${row.name}".` });
  });
}

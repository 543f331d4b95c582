// Sources: the list with each one's health, pause / resume / remove, and adding one after a test
// fetch shows what it would bring in. The rules are the core's (src/core/sources.ts): from here
// only http(s) sources, since a web form must not be a way to read the server's files.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '../../core/errors.js';
import * as core from '../../core/sources.js';
import { formValue } from '../../http/forms.js';
import { isHttpUrl } from '../../sources/local.js';
import type { KindChoice, Probe } from '../../sources/probe.js';
import type { SourceRow } from '../../store/schema.js';
import { coreContext, csrfOf, idParam, notFound, problemOf, sendPage, seeOther } from './context.js';
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

/** The core's context for source operations: the session's actor, this server's fetcher and readers. */
export function sourceContext(deps: AdminDeps, request: FastifyRequest): core.SourceContext {
  return { ...coreContext(deps, request), fetcher: deps.fetcher, readers: deps.readers, sourceIntervalMinutes: deps.sourceIntervalMinutes };
}

export function registerSources(app: FastifyInstance, deps: AdminDeps): void {
  const listPage = async (request: FastifyRequest, reply: FastifyReply, opts: { notice?: string; problem?: string; status?: number } = {}) => {
    const csrf = csrfOf(request);
    const rows = (await core.listSources(deps)).map((s) => [
      `<span id="source-${s.id}">${h(s.name)}</span><br><span class="meta">${h(s.kind)} #${s.id}</span>`,
      health(s),
      h(utc(s.last_fetched_at)),
      `<span class="url">${h(s.url)}</span>`,
      (s.enabled
        ? postButton(`/admin/sources/${s.id}/pause`, 'Pause', csrf, { style: 'secondary' })
        : postButton(`/admin/sources/${s.id}/resume`, 'Resume', csrf)) + postButton(`/admin/sources/${s.id}/remove`, 'Remove', csrf, { style: 'danger' }),
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
    const kind = formValue(request.body, 'kind') ?? 'auto';
    const name = (formValue(request.body, 'name') ?? '').trim();
    const csrf = csrfOf(request);
    let probe: Probe;
    try {
      probe = await core.testSource(sourceContext(deps, request), { url, kind });
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return sendPage(request, reply, 'Add a source', `<h1>Add a source</h1>${addForm(csrf, { url, kind, name })}`, problemOf(err));
    }
    const items = probe.feed.items
      .slice(0, PREVIEW_ITEMS)
      .map((i) => [
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
    const input = { url: formValue(request.body, 'url') ?? '', kind: formValue(request.body, 'kind'), name: formValue(request.body, 'name') };
    try {
      const { source } = await core.addSource(sourceContext(deps, request), input);
      return listPage(request, reply, { notice: `Added source ${source.id} "${source.name}"; it is fetched at the service's next ingest.` });
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return listPage(request, reply, problemOf(err));
    }
  });

  for (const verb of ['pause', 'resume'] as const) {
    app.post(`/admin/sources/:id/${verb}`, async (request, reply) => {
      const id = idParam(request);
      if (id === undefined) return notFound(request, reply, 'source');
      try {
        await (verb === 'pause' ? core.pauseSource(coreContext(deps, request), id) : core.resumeSource(coreContext(deps, request), id));
      } catch (err) {
        if (!isCoreError(err) || err.code !== 'not_found') throw err;
        return notFound(request, reply, 'source');
      }
      return seeOther(reply, '/admin/sources');
    });
  }

  app.post('/admin/sources/:id/remove', async (request, reply) => {
    const id = idParam(request);
    if (id === undefined) return notFound(request, reply, 'source');
    try {
      const r = await core.removeSource(coreContext(deps, request), id, { withArticles: formValue(request.body, 'confirm') === 'yes' });
      return listPage(request, reply, { notice: `Removed source ${r.source.id} "${r.source.name}"${r.articles ? ` and its ${r.articles} articles` : ''}.` });
    } catch (err) {
      if (!isCoreError(err)) throw err;
      if (err.code === 'not_found') return notFound(request, reply, 'source');
      if (err.code !== 'conflict') throw err;
      // Articles would go too: ask, offering to pause instead.
      const body =
        `<h1>Remove this source?</h1><p>${h(err.message)}</p>` +
        postButton(`/admin/sources/${id}/remove`, 'Remove it and its articles', csrfOf(request), { style: 'danger', fields: { confirm: 'yes' } }) +
        postButton(`/admin/sources/${id}/pause`, 'Pause instead', csrfOf(request), { style: 'secondary' });
      return sendPage(request, reply, 'Remove source', body);
    }
  });
}

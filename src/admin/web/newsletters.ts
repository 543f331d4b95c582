// Newsletters: the list, the create and edit forms (with a preview of the next runs), and
// pause / resume. Sending and previewing a digest live in newsletter-actions.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formValue } from '../../http/forms.js';
import { addNewsletter, DuplicateNewsletterError, getNewsletter, InvalidNewsletterError, listNewsletters, updateNewsletter } from '../../store/newsletters.js';
import { listSources } from '../../store/sources.js';
import { auditChange, csrfOf, idParam, notFound, sendPage, seeOther } from './context.js';
import { upcoming } from './dashboard.js';
import { h, postButton, table } from './layout.js';
import { BLANK, formOfBody, formOfRow, inputOf, type NewsletterForm, newsletterFormHtml, scheduleErrors } from './newsletter-form.js';
import type { AdminDeps } from './types.js';

export function registerNewsletters(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  const showForm = async (request: FastifyRequest, reply: FastifyReply, form: NewsletterForm, opts: { id?: number; status?: number; problem?: string; notice?: string; check?: boolean }) => {
    const creating = opts.id === undefined;
    const errors = opts.check ? scheduleErrors(form) : {};
    const runs = errors.cron || errors.timezone ? undefined : upcoming(form.cron, form.timezone, deps.now(), 5).runs;
    const html = newsletterFormHtml(form, {
      action: creating ? '/admin/newsletters' : `/admin/newsletters/${opts.id}`,
      csrf: csrfOf(request),
      creating,
      errors,
      runs,
      sources: await listSources(db),
    });
    const title = creating ? 'New newsletter' : `Edit ${form.name}`;
    const actions = creating ? '' : await actionButtons(request, opts.id!);
    return sendPage(request, reply, title, `<h1>${h(title)}</h1>${actions}${html}`, { status: opts.status, problem: opts.problem, notice: opts.notice });
  };

  const actionButtons = async (request: FastifyRequest, id: number) => {
    const n = await getNewsletter(db, id);
    if (!n) return '';
    const csrf = csrfOf(request);
    const toggle = n.enabled ? postButton(`/admin/newsletters/${id}/pause`, 'Pause', csrf, { style: 'secondary' }) : postButton(`/admin/newsletters/${id}/resume`, 'Resume', csrf);
    return (
      `<p>${n.enabled ? 'Enabled.' : '<strong>Paused</strong>: no scheduled digests.'} <a href="/n/${encodeURIComponent(n.slug)}">Archive</a> · ` +
      `<a href="/admin/newsletters/${id}/preview">Preview the next digest</a></p><p>${toggle}${postButton(`/admin/newsletters/${id}/send`, 'Send now', csrf)}</p>`
    );
  };

  app.get('/admin/newsletters', async (request, reply) => {
    const rows = (await listNewsletters(db)).map((n) => [
      `<a href="/admin/newsletters/${n.id}">${h(n.name)}</a><br><span class="meta">${h(n.slug)}</span>`,
      n.enabled ? 'enabled' : 'paused',
      `<code>${h(n.cron)}</code><br><span class="meta">${h(n.timezone)}</span>`,
      String(n.max_items),
      h(n.language),
    ]);
    const body = '<h1>Newsletters</h1><p><a href="/admin/newsletters/new">New newsletter</a></p>' + table(['Newsletter', 'State', 'Schedule', 'Max items', 'Language'], rows, 'No newsletter yet.');
    return sendPage(request, reply, 'Newsletters', body);
  });

  app.get('/admin/newsletters/new', async (request, reply) => showForm(request, reply, BLANK, {}));

  app.post('/admin/newsletters', async (request, reply) => {
    const form = formOfBody(request.body);
    const errors = scheduleErrors(form);
    if (formValue(request.body, 'intent') === 'preview') return showForm(request, reply, form, { check: true });
    if (errors.cron || errors.timezone) return showForm(request, reply, form, { check: true, status: 400, problem: 'The schedule needs fixing; see below.' });
    try {
      const row = await addNewsletter(db, { ...inputOf(form), slug: form.slug, name: form.name }, deps.now());
      await auditChange(deps, request, 'newsletter.create', `newsletter ${row.id} ${row.slug} (${row.cron} ${row.timezone})`);
      return seeOther(reply, `/admin/newsletters/${row.id}?saved=1`);
    } catch (err) {
      if (!(err instanceof InvalidNewsletterError || err instanceof DuplicateNewsletterError)) throw err;
      return showForm(request, reply, form, { check: true, status: 400, problem: err.message });
    }
  });

  app.get('/admin/newsletters/:id', async (request, reply) => {
    const id = idParam(request);
    const n = id === undefined ? undefined : await getNewsletter(db, id);
    if (!n) return notFound(request, reply, 'newsletter');
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return showForm(request, reply, formOfRow(n), { id: n.id, check: true, notice: saved ? 'Saved.' : undefined });
  });

  app.post('/admin/newsletters/:id', async (request, reply) => {
    const id = idParam(request);
    const n = id === undefined ? undefined : await getNewsletter(db, id);
    if (!n) return notFound(request, reply, 'newsletter');
    const form = { ...formOfBody(request.body), slug: n.slug };
    const errors = scheduleErrors(form);
    if (formValue(request.body, 'intent') === 'preview') return showForm(request, reply, form, { id: n.id, check: true });
    if (errors.cron || errors.timezone) return showForm(request, reply, form, { id: n.id, check: true, status: 400, problem: 'The schedule needs fixing; see below.' });
    try {
      await updateNewsletter(db, n.id, inputOf(form), deps.now());
      await auditChange(deps, request, 'newsletter.update', `newsletter ${n.id} ${n.slug} (${form.cron} ${form.timezone})`);
      return seeOther(reply, `/admin/newsletters/${n.id}?saved=1`);
    } catch (err) {
      if (!(err instanceof InvalidNewsletterError)) throw err;
      return showForm(request, reply, form, { id: n.id, check: true, status: 400, problem: err.message });
    }
  });

  for (const [verb, enabled] of [['pause', false], ['resume', true]] as const) {
    app.post(`/admin/newsletters/:id/${verb}`, async (request, reply) => {
      const id = idParam(request);
      const row = id === undefined ? undefined : await updateNewsletter(db, id, { enabled }, deps.now());
      if (!row) return notFound(request, reply, 'newsletter');
      await auditChange(deps, request, `newsletter.${verb}`, `newsletter ${row.id} ${row.slug}`);
      return seeOther(reply, `/admin/newsletters/${row.id}`);
    });
  }
}

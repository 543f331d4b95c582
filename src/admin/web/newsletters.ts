// Newsletters: the list, the create and edit forms (with a preview of the next runs), and
// pause / resume, each change a call of the core (src/core/newsletters.ts) whose message is shown
// on the form. Sending and previewing a digest live in newsletter-actions.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '../../core/errors.js';
import * as core from '../../core/newsletters.js';
import { formValue } from '../../http/forms.js';
import type { NewsletterRow } from '../../store/schema.js';
import { listSources } from '../../store/sources.js';
import { coreContext, csrfOf, idParam, notFound, problemOf, sendPage, seeOther } from './context.js';
import { upcoming } from './dashboard.js';
import { h, postButton, table } from './layout.js';
import { BLANK, formOfBody, formOfRow, inputOf, type NewsletterForm, newsletterFormHtml, scheduleErrors } from './newsletter-form.js';
import type { AdminDeps } from './types.js';

/** What `result` gives, or undefined when the core says the newsletter does not exist (a 404 page). */
export function orMissing<T>(result: Promise<T>): Promise<T | undefined> {
  return result.catch((err: unknown) => (isCoreError(err) && err.code === 'not_found' ? undefined : Promise.reject(err)));
}

export function registerNewsletters(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  const showForm = async (
    request: FastifyRequest,
    reply: FastifyReply,
    form: NewsletterForm,
    opts: { id?: number; status?: number; problem?: string; notice?: string; check?: boolean },
  ) => {
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

  /** The newsletter of the path, or undefined (a 404 page). */
  const pathNewsletter = async (request: FastifyRequest): Promise<NewsletterRow | undefined> => {
    const id = idParam(request);
    return id === undefined ? undefined : orMissing(core.findNewsletter(deps, id));
  };

  const actionButtons = async (request: FastifyRequest, id: number) => {
    const n = await core.findNewsletter(deps, id).catch(() => undefined);
    if (!n) return '';
    const csrf = csrfOf(request);
    const toggle = n.enabled
      ? postButton(`/admin/newsletters/${id}/pause`, 'Pause', csrf, { style: 'secondary' })
      : postButton(`/admin/newsletters/${id}/resume`, 'Resume', csrf);
    return (
      `<p>${n.enabled ? 'Enabled.' : '<strong>Paused</strong>: no scheduled digests.'} <a href="/n/${encodeURIComponent(n.slug)}">Archive</a> · ` +
      `<a href="/admin/newsletters/${id}/preview">Preview the next digest</a></p><p>${toggle}${postButton(`/admin/newsletters/${id}/send`, 'Send now', csrf)}</p>`
    );
  };

  app.get('/admin/newsletters', async (request, reply) => {
    const rows = (await core.listNewsletters(deps)).map((n) => [
      `<a href="/admin/newsletters/${n.id}">${h(n.name)}</a><br><span class="meta">${h(n.slug)}</span>`,
      n.enabled ? 'enabled' : 'paused',
      `<code>${h(n.cron)}</code><br><span class="meta">${h(n.timezone)}</span>`,
      String(n.max_items),
      h(n.language),
    ]);
    const body =
      '<h1>Newsletters</h1><p><a href="/admin/newsletters/new">New newsletter</a></p>' +
      table(['Newsletter', 'State', 'Schedule', 'Max items', 'Language'], rows, 'No newsletter yet.');
    return sendPage(request, reply, 'Newsletters', body);
  });

  app.get('/admin/newsletters/new', async (request, reply) => showForm(request, reply, BLANK, {}));

  app.post('/admin/newsletters', async (request, reply) => {
    const form = formOfBody(request.body);
    const errors = scheduleErrors(form);
    if (formValue(request.body, 'intent') === 'preview') return showForm(request, reply, form, { check: true });
    if (errors.cron || errors.timezone) return showForm(request, reply, form, { check: true, status: 400, problem: 'The schedule needs fixing; see below.' });
    try {
      const row = await core.addNewsletter(coreContext(deps, request), { ...inputOf(form), slug: form.slug, name: form.name });
      return seeOther(reply, `/admin/newsletters/${row.id}?saved=1`);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return showForm(request, reply, form, { check: true, ...problemOf(err) });
    }
  });

  app.get('/admin/newsletters/:id', async (request, reply) => {
    const n = await pathNewsletter(request);
    if (!n) return notFound(request, reply, 'newsletter');
    const saved = (request.query as Record<string, unknown>).saved === '1';
    return showForm(request, reply, formOfRow(n), { id: n.id, check: true, notice: saved ? 'Saved.' : undefined });
  });

  app.post('/admin/newsletters/:id', async (request, reply) => {
    const n = await pathNewsletter(request);
    if (!n) return notFound(request, reply, 'newsletter');
    const form = { ...formOfBody(request.body), slug: n.slug };
    const errors = scheduleErrors(form);
    if (formValue(request.body, 'intent') === 'preview') return showForm(request, reply, form, { id: n.id, check: true });
    if (errors.cron || errors.timezone)
      return showForm(request, reply, form, { id: n.id, check: true, status: 400, problem: 'The schedule needs fixing; see below.' });
    try {
      await core.updateNewsletter(coreContext(deps, request), n.id, inputOf(form));
      return seeOther(reply, `/admin/newsletters/${n.id}?saved=1`);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return showForm(request, reply, form, { id: n.id, check: true, ...problemOf(err) });
    }
  });

  for (const [verb, run] of [
    ['pause', core.pauseNewsletter],
    ['resume', core.resumeNewsletter],
  ] as const) {
    app.post(`/admin/newsletters/:id/${verb}`, async (request, reply) => {
      const n = await pathNewsletter(request);
      if (!n) return notFound(request, reply, 'newsletter');
      const row = await run(coreContext(deps, request), n.id);
      return seeOther(reply, `/admin/newsletters/${row.id}`);
    });
  }
}

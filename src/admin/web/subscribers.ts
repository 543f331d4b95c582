// Subscribers: search by address or name, each with the status of every subscription; add one
// (the admin vouches for consent, recorded as source "admin"); one subscriber's page with their
// subscriptions and delivery history; and erasure. Each calls the core (src/core/subscribers.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isCoreError } from '../../core/errors.js';
import { listNewsletters } from '../../core/newsletters.js';
import { addSubscriber, listSubscribers, removeSubscriber, showSubscriber, subscriberLabel } from '../../core/subscribers.js';
import { formValue } from '../../http/forms.js';
import { coreContext, csrfOf, idParam, notFound, problemOf, sendPage, seeOther } from './context.js';
import { csrfField, h, postButton, table, utc } from './layout.js';
import { newsletterOptions, transferForms } from './subscribers-csv.js';
import type { AdminDeps } from './types.js';

const PAGE = 100;

export function registerSubscribers(app: FastifyInstance, deps: AdminDeps): void {
  const listPage = async (request: FastifyRequest, reply: FastifyReply, opts: { problem?: string; notice?: string; status?: number } = {}) => {
    const q = String((request.query as Record<string, unknown>).q ?? '').slice(0, 200);
    const { rows: people } = await listSubscribers(deps, { search: q || undefined, limit: PAGE });
    const rows = people.map((p) => [
      `<a href="/admin/subscribers/${p.id}">${h(p.email ?? `Telegram ${p.telegram_chat_id ?? ''}`)}</a>`,
      h(p.name ?? ''),
      p.subscriptions.map((s) => h(`${s.newsletter_slug}: ${s.status}${s.channel === 'email' ? '' : ` (${s.channel})`}`)).join('<br>') || '-',
    ]);
    const newsletters = await listNewsletters(deps);
    const csrf = csrfOf(request);
    const body =
      '<h1>Subscribers</h1>' +
      `<form method="get" action="/admin/subscribers"><label for="q">Search address or name</label><input type="text" id="q" name="q" value="${h(q)}"> <button type="submit">Search</button></form>` +
      table(['Subscriber', 'Name', 'Subscriptions'], rows, q ? 'Nobody matches.' : 'No subscribers yet.') +
      (people.length === PAGE ? `<p class="meta">The first ${PAGE} are shown; search to narrow the list.</p>` : '') +
      '<h2>Add a subscriber</h2>' +
      `<form method="post" action="/admin/subscribers">${csrfField(csrf)}` +
      '<label for="email">Email</label><input type="email" id="email" name="email" required>' +
      '<label for="name">Name</label><input type="text" id="name" name="name">' +
      `<label for="newsletter">Newsletter</label><select id="newsletter" name="newsletter">${newsletterOptions(newsletters)}</select>` +
      '<label for="status">Status</label><select id="status" name="status"><option value="active">active: they agreed to receive it (you vouch for their consent)</option><option value="pending">pending: they must confirm first</option></select>' +
      '<p><button type="submit">Add subscriber</button></p></form>' +
      transferForms(csrf, newsletters);
    return sendPage(request, reply, 'Subscribers', body, opts);
  };

  app.get('/admin/subscribers', async (request, reply) => listPage(request, reply));

  app.post('/admin/subscribers', async (request, reply) => {
    const input = {
      email: formValue(request.body, 'email') ?? '',
      name: formValue(request.body, 'name') || null,
      newsletters: [formValue(request.body, 'newsletter') ?? ''].filter(Boolean),
      pending: formValue(request.body, 'status') === 'pending',
    };
    try {
      const { subscriber } = await addSubscriber(coreContext(deps, request), input);
      return seeOther(reply, `/admin/subscribers/${subscriber.id}`);
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return listPage(request, reply, problemOf(err));
    }
  });

  app.post('/admin/subscribers/:id/remove', async (request, reply) => {
    const id = idParam(request);
    if (id === undefined) return notFound(request, reply, 'subscriber');
    try {
      const r = await removeSubscriber(coreContext(deps, request), id);
      return listPage(request, reply, { notice: `Removed ${subscriberLabel(r.subscriber)} and their ${r.subscriptions} subscriptions.` });
    } catch (err) {
      if (!isCoreError(err)) throw err;
      return notFound(request, reply, 'subscriber');
    }
  });

  app.get('/admin/subscribers/:id', async (request, reply) => {
    const id = idParam(request);
    const shown = id === undefined ? undefined : await showSubscriber(deps, id).catch((err: unknown) => (isCoreError(err) ? undefined : Promise.reject(err)));
    if (!shown) return notFound(request, reply, 'subscriber');
    const person = shown.subscriber;
    const subs = shown.subscriptions.map((s) => [
      h(s.newsletter_slug),
      h(s.channel),
      `<strong>${h(s.status)}</strong>`,
      h(`${s.consent_source}${s.consent_version ? ` v${s.consent_version}` : ''}`),
      h(utc(s.subscribed_at)),
      h(utc(s.confirmed_at)),
    ]);
    const history = shown.deliveries.map((d) => [
      `<a href="/n/${encodeURIComponent(d.newsletter_slug)}/${d.digest_id}">${h(d.subject ?? `digest ${d.digest_id}`)}</a><br><span class="meta">${h(utc(d.slot_at))}</span>`,
      h(d.channel),
      h(d.state),
      String(d.attempts),
      h(d.last_error ?? ''),
      h(utc(d.sent_at)),
    ]);
    const body =
      `<h1>${h(person.email ?? `Telegram ${person.telegram_chat_id ?? ''}`)}</h1>` +
      `<p>${h(person.name ?? '(no name)')} · language ${h(person.language)} · since ${h(utc(person.created_at))}</p>` +
      (shown.suppressed ? `<p><strong>Never mailed:</strong> the address is on the suppression list (${h(shown.suppressed)}).</p>` : '') +
      '<h2>Subscriptions</h2>' +
      table(['Newsletter', 'Channel', 'Status', 'Consent', 'Subscribed', 'Confirmed'], subs, 'No subscriptions.') +
      '<h2>Delivery history</h2>' +
      table(['Digest', 'Channel', 'State', 'Attempts', 'Last error', 'Sent'], history, 'Nothing delivered yet.') +
      '<h2>Erasure</h2><p class="meta">Deletes the subscriber and every subscription; the event log keeps that it happened.</p>' +
      postButton(`/admin/subscribers/${person.id}/remove`, 'Delete this subscriber', csrfOf(request), { style: 'danger' });
    return sendPage(request, reply, person.email ?? 'Subscriber', body);
  });
}

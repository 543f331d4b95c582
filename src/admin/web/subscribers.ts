// Subscribers: search by address or name, each with the status of every subscription; add one
// (the admin vouches for consent, recorded as source "admin"); and one subscriber's page with
// their subscriptions and delivery history.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { cleanRecipientName } from '../../digest/personalize.js';
import { formValue } from '../../http/forms.js';
import { suppressionOf } from '../../store/consent.js';
import { getNewsletter, listNewsletters } from '../../store/newsletters.js';
import type { Database } from '../../store/schema.js';
import { listSubscribers } from '../../store/subscriber-lists.js';
import { getSubscriber, listSubscriptionsOf, subscribe, upsertSubscriber } from '../../store/subscribers.js';
import { parseEmailAddress } from '../../subscribers/address.js';
import { auditChange, csrfOf, idParam, notFound, sendPage, seeOther } from './context.js';
import { csrfField, h, table, utc } from './layout.js';
import { newsletterOptions, transferForms } from './subscribers-csv.js';
import type { AdminDeps } from './types.js';

const PAGE = 100;

function deliveryHistory(db: Kysely<Database>, subscriberId: number) {
  return db
    .selectFrom('deliveries')
    .innerJoin('digests', 'digests.id', 'deliveries.digest_id')
    .innerJoin('newsletters', 'newsletters.id', 'digests.newsletter_id')
    .select(['deliveries.id', 'deliveries.digest_id', 'deliveries.channel', 'deliveries.state', 'deliveries.attempts', 'deliveries.last_error', 'deliveries.sent_at', 'digests.subject', 'digests.slot_at', 'newsletters.slug'])
    .where('deliveries.subscriber_id', '=', subscriberId)
    .orderBy('deliveries.id', 'desc')
    .limit(PAGE)
    .execute();
}

export function registerSubscribers(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  const listPage = async (request: FastifyRequest, reply: FastifyReply, opts: { problem?: string; status?: number } = {}) => {
    const q = String((request.query as Record<string, unknown>).q ?? '').slice(0, 200);
    const people = await listSubscribers(db, { search: q || undefined, limit: PAGE });
    const rows = people.map((p) => [
      `<a href="/admin/subscribers/${p.id}">${h(p.email ?? `Telegram ${p.telegram_chat_id ?? ''}`)}</a>`,
      h(p.name ?? ''),
      p.subscriptions.map((s) => h(`${s.newsletter_slug}: ${s.status}${s.channel === 'email' ? '' : ` (${s.channel})`}`)).join('<br>') || '-',
    ]);
    const newsletters = await listNewsletters(db);
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
    const parsed = parseEmailAddress(formValue(request.body, 'email') ?? '');
    const newsletterId = Number(formValue(request.body, 'newsletter'));
    const newsletter = Number.isInteger(newsletterId) && newsletterId > 0 ? await getNewsletter(db, newsletterId) : undefined;
    const status = formValue(request.body, 'status') === 'pending' ? 'pending' : 'active';
    if (!parsed.ok) return listPage(request, reply, { problem: `That email address cannot be used: ${parsed.reason}`, status: 400 });
    if (!newsletter) return listPage(request, reply, { problem: 'Choose a newsletter (create one first if there is none).', status: 400 });
    const suppressed = await suppressionOf(db, parsed.address);
    if (suppressed) {
      await auditChange(deps, request, 'subscriber.add', `${parsed.address} → ${newsletter.slug}: refused, suppressed (${suppressed})`, false);
      return listPage(request, reply, { problem: `${parsed.address} is on the suppression list (${suppressed}); it is never mailed, so it was not added.`, status: 409 });
    }
    const name = cleanRecipientName(formValue(request.body, 'name') ?? '') || null;
    const person = await upsertSubscriber(db, { email: parsed.address, name, language: newsletter.language }, deps.now());
    const { outcome } = await subscribe(db, { subscriberId: person.id, newsletterId: newsletter.id, channel: 'email', status, consent: { source: 'admin', ip: request.ip } }, deps.now());
    await auditChange(deps, request, 'subscriber.add', `subscriber ${person.id} → ${newsletter.slug}: ${outcome} (${status})`);
    return seeOther(reply, `/admin/subscribers/${person.id}`);
  });

  app.get('/admin/subscribers/:id', async (request, reply) => {
    const id = idParam(request);
    const person = id === undefined ? undefined : await getSubscriber(db, id);
    if (!person) return notFound(request, reply, 'subscriber');
    const slugs = new Map((await listNewsletters(db)).map((n) => [n.id, n.slug]));
    const subs = (await listSubscriptionsOf(db, person.id)).map((s) => [
      h(slugs.get(s.newsletter_id) ?? String(s.newsletter_id)),
      h(s.channel),
      `<strong>${h(s.status)}</strong>`,
      h(`${s.consent_source}${s.consent_version ? ` v${s.consent_version}` : ''}`),
      h(utc(s.subscribed_at)),
      h(utc(s.confirmed_at)),
    ]);
    const history = (await deliveryHistory(db, person.id)).map((d) => [
      `<a href="/n/${encodeURIComponent(d.slug)}/${d.digest_id}">${h(d.subject ?? `digest ${d.digest_id}`)}</a><br><span class="meta">${h(utc(d.slot_at))}</span>`,
      h(d.channel),
      h(d.state),
      String(d.attempts),
      h(d.last_error ?? ''),
      h(utc(d.sent_at)),
    ]);
    const body =
      `<h1>${h(person.email ?? `Telegram ${person.telegram_chat_id ?? ''}`)}</h1>` +
      `<p>${h(person.name ?? '(no name)')} · language ${h(person.language)} · since ${h(utc(person.created_at))}</p>` +
      '<h2>Subscriptions</h2>' +
      table(['Newsletter', 'Channel', 'Status', 'Consent', 'Subscribed', 'Confirmed'], subs, 'No subscriptions.') +
      '<h2>Delivery history</h2>' +
      table(['Digest', 'Channel', 'State', 'Attempts', 'Last error', 'Sent'], history, 'Nothing delivered yet.');
    return sendPage(request, reply, person.email ?? 'Subscriber', body);
  });
}

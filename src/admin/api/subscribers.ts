// /api/v1/subscribers: search and page, show one with their subscriptions and deliveries, add
// (the admin vouches for consent, as with `tidings subscribers add`: active at once unless
// `pending`, consent source "api"), delete. CSV import and export are in subscribers-csv.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { suppressionOf } from '../../store/consent.js';
import { getNewsletter } from '../../store/newsletters.js';
import type { NewsletterRow } from '../../store/schema.js';
import { countSubscribers, listSubscribers, SUBSCRIPTION_STATUSES } from '../../store/subscriber-lists.js';
import { getSubscriber, removeSubscriber, subscribe, upsertSubscriber } from '../../store/subscribers.js';
import { parseEmailAddress } from '../../subscribers/address.js';
import { cleanName } from '../../subscribers/import.js';
import { type ApiDeps, changed, idParam, jsonBody, queryOf } from './context.js';
import { ApiError, badRequest, notFound } from './errors.js';
import { deliveryJson, subscriberJson, subscriptionJson } from './present.js';

// Paging by offset re-reads the rows before it; past this, page with `after` (the last id seen).
const MAX_OFFSET_WINDOW = 10_000;
const status = z.enum(SUBSCRIPTION_STATUSES as [string, ...string[]]);
const listQuery = z.strictObject({
  search: z.string().max(200).optional(),
  newsletter: z.string().optional(),
  status: status.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  after: z.coerce.number().int().min(0).optional(),
});
const addBody = z.strictObject({
  email: z.string(),
  newsletters: z.array(z.union([z.string(), z.number()])).min(1, 'give at least one newsletter id or slug'),
  name: z.string().max(200).optional(),
  language: z.enum(['en', 'zh']).optional(),
  pending: z.boolean().default(false),
});

export async function newsletterByKey(deps: ApiDeps, key: string | number, field: string): Promise<NewsletterRow> {
  const k = typeof key === 'number' || /^\d{1,15}$/.test(key) ? Number(key) : key;
  const row = await getNewsletter(deps.db, k);
  if (!row) throw badRequest(`${field}: no newsletter "${String(key).slice(0, 80)}"; see GET /api/v1/newsletters.`);
  return row;
}

export function registerSubscriberRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const find = async (id: number) => {
    const row = await getSubscriber(deps.db, id);
    if (!row) throw notFound(`No subscriber ${id}; see GET /api/v1/subscribers?search=…`);
    return row;
  };

  api.get('/subscribers', async (request) => {
    const q = queryOf(request, listQuery);
    if (q.offset + q.limit > MAX_OFFSET_WINDOW) throw badRequest(`offset: offset + limit may be at most ${MAX_OFFSET_WINDOW}; page further with after=<the last id seen>.`);
    const newsletterId = q.newsletter === undefined ? undefined : (await newsletterByKey(deps, q.newsletter, 'newsletter')).id;
    const filter = { newsletterId, status: q.status as (typeof SUBSCRIPTION_STATUSES)[number] | undefined, search: q.search };
    const rows = (await listSubscribers(deps.db, { ...filter, limit: q.offset + q.limit, afterId: q.after })).slice(q.offset);
    const total = await countSubscribers(deps.db, filter);
    const subscribers = rows.map((r) => ({ ...subscriberJson(r), subscriptions: r.subscriptions.map(subscriptionJson) }));
    return { total, subscribers, nextAfter: rows.length === q.limit ? rows[rows.length - 1]!.id : null };
  });

  api.get('/subscribers/:id', async (request) => {
    const person = await find(idParam(request));
    const subs = await deps.db
      .selectFrom('subscriptions')
      .innerJoin('newsletters', 'newsletters.id', 'subscriptions.newsletter_id')
      .selectAll('subscriptions')
      .select('newsletters.slug as newsletter_slug')
      .where('subscriber_id', '=', person.id)
      .orderBy('subscriptions.id')
      .execute();
    const suppressed = person.email ? ((await suppressionOf(deps.db, person.email)) ?? null) : null;
    return { ...subscriberJson(person), suppressed, subscriptions: subs.map(subscriptionJson) };
  });

  api.get('/subscribers/:id/deliveries', async (request) => {
    const person = await find(idParam(request));
    const { limit } = queryOf(request, z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }));
    const rows = await deps.db
      .selectFrom('deliveries')
      .innerJoin('digests', 'digests.id', 'deliveries.digest_id')
      .selectAll('deliveries')
      .select('digests.subject')
      .where('deliveries.subscriber_id', '=', person.id)
      .orderBy('deliveries.id', 'desc')
      .limit(limit)
      .execute();
    return { deliveries: rows.map(deliveryJson) };
  });

  api.post('/subscribers', async (request, reply) => {
    const body = jsonBody(request, addBody);
    const parsed = parseEmailAddress(body.email);
    if (!parsed.ok) throw badRequest(`email: "${body.email.slice(0, 80)}" is not a valid email address: ${parsed.reason}`);
    const email = parsed.address;
    const newsletters: NewsletterRow[] = [];
    for (const [i, key] of body.newsletters.entries()) newsletters.push(await newsletterByKey(deps, key, `newsletters[${i}]`));
    const reason = await suppressionOf(deps.db, email);
    if (reason) throw new ApiError(409, 'suppressed', `${email} is on the suppression list (${reason}): it is never mailed, so it was not subscribed.`);
    const name = body.name === undefined ? null : cleanName(body.name);
    const person = await upsertSubscriber(deps.db, { email, name, language: body.language ?? newsletters[0]!.language }, deps.now());
    const target = body.pending ? 'pending' : 'active';
    const results = [];
    for (const n of newsletters) {
      const { subscription, outcome } = await subscribe(deps.db, { subscriberId: person.id, newsletterId: n.id, channel: 'email', status: target, consent: { source: 'api' } }, deps.now());
      results.push({ newsletter: n.slug, outcome, status: subscription.status, subscriptionId: subscription.id });
    }
    const changes = results.filter((r) => r.outcome !== 'unchanged');
    if (changes.length) await changed(deps, 'subscriber.add', `subscriber ${person.id} <${email}>: ${changes.map((r) => `${r.newsletter} ${r.outcome} (${r.status})`).join(', ')}`);
    return reply.code(changes.length ? 201 : 200).send({ subscriber: subscriberJson(person), results });
  });

  api.delete('/subscribers/:id', async (request, reply) => {
    const person = await find(idParam(request));
    if (!(await removeSubscriber(deps.db, person.id, deps.now()))) throw notFound(`No subscriber ${person.id}.`);
    await changed(deps, 'subscriber.delete', `subscriber ${person.id} <${person.email ?? `telegram:${person.telegram_chat_id}`}> deleted`);
    return reply.code(204).send();
  });
}

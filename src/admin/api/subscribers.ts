// /api/v1/subscribers: search and page, show one with their subscriptions and deliveries, add
// (the admin vouches for consent: active at once unless `pending`), delete. Each calls the core
// use case; CSV import and export are in subscribers-csv.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { addSubscriber, listSubscribers, removeSubscriber, showSubscriber } from '../../core/subscribers.js';
import { coreContext, type ApiDeps, idParam, jsonBody, queryOf } from './context.js';
import { badRequest } from './errors.js';
import { deliveryJson, subscriberJson, subscriptionJson } from './present.js';

// Paging by offset re-reads the rows before it; past this, page with `after` (the last id seen).
const MAX_OFFSET_WINDOW = 10_000;
const listQuery = z.strictObject({
  search: z.string().max(200).optional(),
  newsletter: z.string().optional(),
  status: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
  after: z.coerce.number().int().min(0).optional(),
});
const addBody = z.strictObject({
  email: z.string(),
  newsletters: z.array(z.union([z.string(), z.number()])),
  name: z.string().optional(),
  language: z.string().optional(),
  pending: z.boolean().default(false),
});

export function registerSubscriberRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/subscribers', async (request) => {
    const q = queryOf(request, listQuery);
    if (q.offset + q.limit > MAX_OFFSET_WINDOW)
      throw badRequest(`offset: offset + limit may be at most ${MAX_OFFSET_WINDOW}; page further with after=<the last id seen>.`);
    const { rows, total } = await listSubscribers(coreContext(deps), {
      newsletter: q.newsletter,
      status: q.status,
      search: q.search,
      limit: q.offset + q.limit,
      after: q.after,
    });
    const page = rows.slice(q.offset);
    const subscribers = page.map((r) => ({ ...subscriberJson(r), subscriptions: r.subscriptions.map(subscriptionJson) }));
    return { total, subscribers, nextAfter: page.length === q.limit ? page[page.length - 1]!.id : null };
  });

  api.get('/subscribers/:id', async (request) => {
    const shown = await showSubscriber(coreContext(deps), idParam(request), { deliveries: 0 });
    return { ...subscriberJson(shown.subscriber), suppressed: shown.suppressed, subscriptions: shown.subscriptions.map(subscriptionJson) };
  });

  api.get('/subscribers/:id/deliveries', async (request) => {
    const id = idParam(request);
    const { limit } = queryOf(request, z.strictObject({ limit: z.coerce.number().int().min(1).max(1000).default(100) }));
    const shown = await showSubscriber(coreContext(deps), id, { deliveries: limit });
    return { deliveries: shown.deliveries.map(deliveryJson) };
  });

  api.post('/subscribers', async (request, reply) => {
    const body = jsonBody(request, addBody);
    const r = await addSubscriber(coreContext(deps), body);
    return reply.code(r.changed ? 201 : 200).send({ subscriber: subscriberJson(r.subscriber), results: r.results });
  });

  api.delete('/subscribers/:id', async (request, reply) => {
    await removeSubscriber(coreContext(deps), idParam(request));
    return reply.code(204).send();
  });
}

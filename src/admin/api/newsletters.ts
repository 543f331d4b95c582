// /api/v1/newsletters: list, show (with its next runs and last digests), create, update, delete.
// Pause, resume, send-now and preview are in newsletter-actions.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { deliveryCounts } from '../../deliver/ledger.js';
import { nextSlots, validateSchedule } from '../../schedule/slots.js';
import { listDigests } from '../../store/digests.js';
import { addNewsletter, getNewsletter, listNewsletters, nameFromSlug, type NewsletterPatch, newsletterFilters, removeNewsletter, updateNewsletter } from '../../store/newsletters.js';
import type { NewsletterRow } from '../../store/schema.js';
import { getSource } from '../../store/sources.js';
import { wallMs, wallTimeAt } from '../../time-zone.js';
import { type ApiDeps, changed, jsonBody, rawParam } from './context.js';
import { badRequest, conflict, notFound } from './errors.js';
import { digestJson, newsletterJson } from './present.js';

// The column defaults (migration 0002): what a new newsletter's schedule is unless given.
const DEFAULT_CRON = '0 8 * * *';
const DEFAULT_ZONE = 'UTC';
const NEXT_RUNS = 5;
const LAST_DIGESTS = 5;

const words = z.array(z.string());
const filters = z.strictObject({ include: words.optional(), exclude: words.optional(), categories: words.optional(), sources: z.array(z.number()).optional() });
// Ranges and formats are the store's to check: its messages name the field and the allowed values.
const fields = {
  name: z.string().optional(),
  language: z.enum(['en', 'zh']).optional(),
  cron: z.string().optional(),
  timezone: z.string().optional(),
  catchUpGraceMinutes: z.number().optional(),
  filters: filters.optional(),
  maxItems: z.number().optional(),
  sections: z.boolean().optional(),
  lookbackHours: z.number().optional(),
  template: z.string().optional(),
  enabled: z.boolean().optional(),
};
const createBody = z.strictObject({ slug: z.string(), ...fields });
const patchBody = z.strictObject({ slug: z.string().optional(), ...fields });

/** By id, or by slug (slugs are never all digits); a 404 when there is none. */
export async function findNewsletter(deps: ApiDeps, request: FastifyRequest): Promise<NewsletterRow> {
  const key = rawParam(request, 'id');
  const row = await getNewsletter(deps.db, /^\d{1,15}$/.test(key) ? Number(key) : key);
  if (!row) throw notFound(`No newsletter "${key.slice(0, 80)}"; see GET /api/v1/newsletters.`);
  return row;
}


function checkSchedule(cron: string, zone: string): void {
  const problem = validateSchedule(cron, zone);
  if (problem) throw badRequest(problem);
}

async function checkSources(deps: ApiDeps, ids: number[] | undefined): Promise<void> {
  for (const id of ids ?? []) {
    if (Number.isInteger(id) && id >= 1 && !(await getSource(deps.db, id))) throw badRequest(`filters.sources: no source ${id}; see GET /api/v1/sources.`);
  }
}

/** "2026-11-25T08:00:00+08:00": the slot as the newsletter's readers' clocks show it. */
function localTime(at: Date, zone: string): string {
  const wall = wallTimeAt(at.getTime(), zone);
  const offset = Math.round((wallMs(wall) - at.getTime()) / 60_000);
  const sign = offset < 0 ? '-' : '+';
  const pad = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const stamp = new Date(wallMs(wall)).toISOString().slice(0, 19);
  return `${stamp}${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

async function details(deps: ApiDeps, row: NewsletterRow) {
  const problem = validateSchedule(row.cron, row.timezone);
  // A paused newsletter has no next runs: nothing will go out until it is resumed.
  const runs = row.enabled && !problem ? nextSlots(row.cron, row.timezone, deps.now(), NEXT_RUNS) : [];
  const digests = await listDigests(deps.db, row.id, { limit: LAST_DIGESTS });
  const lastDigests = await Promise.all(digests.map(async (d) => ({ ...digestJson(d), deliveries: await deliveryCounts(deps.db, { digestId: d.id }) })));
  return {
    ...newsletterJson(row),
    scheduleProblem: problem,
    nextRuns: runs.map((at) => ({ at: at.toISOString(), local: localTime(at, row.timezone) })),
    lastDigests,
  };
}

export function registerNewsletterRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/newsletters', async () => ({ newsletters: (await listNewsletters(deps.db)).map(newsletterJson) }));

  api.get('/newsletters/:id', async (request) => details(deps, await findNewsletter(deps, request)));

  api.post('/newsletters', async (request, reply) => {
    const body = jsonBody(request, createBody);
    if (body.cron !== undefined || body.timezone !== undefined) checkSchedule(body.cron ?? DEFAULT_CRON, body.timezone ?? DEFAULT_ZONE);
    await checkSources(deps, body.filters?.sources);
    const row = await addNewsletter(deps.db, { ...body, name: body.name ?? nameFromSlug(body.slug) }, deps.now());
    await changed(deps, 'newsletter.create', `newsletter ${row.id} "${row.slug}" created`);
    return reply.code(201).send(await details(deps, row));
  });

  api.patch('/newsletters/:id', async (request) => {
    const current = await findNewsletter(deps, request);
    const body = jsonBody(request, patchBody);
    const keys = Object.keys(body);
    if (keys.length === 0) throw badRequest('Nothing to change: give at least one field, e.g. {"cron": "0 7 * * 1-5"}.');
    if (body.cron !== undefined || body.timezone !== undefined) checkSchedule(body.cron ?? current.cron, body.timezone ?? current.timezone);
    await checkSources(deps, body.filters?.sources);
    // Filter lists given replace their own list only; [] clears one.
    const patch: NewsletterPatch = { ...body, filters: body.filters && { ...newsletterFilters(current), ...body.filters } };
    if (!patch.filters) delete patch.filters;
    const row = await updateNewsletter(deps.db, current.id, patch, deps.now());
    if (!row) throw notFound(`Newsletter ${current.id} was deleted meanwhile.`);
    await changed(deps, 'newsletter.update', `newsletter ${row.id} "${row.slug}": ${keys.join(', ')} changed`);
    return details(deps, row);
  });

  api.delete('/newsletters/:id', async (request, reply) => {
    const row = await findNewsletter(deps, request);
    const result = await removeNewsletter(deps.db, row.id);
    if (result === 'has-digests') {
      throw conflict(`Newsletter "${row.slug}" has digests (its archive links to them), so it cannot be deleted; pause it instead: POST /api/v1/newsletters/${row.id}/pause.`);
    }
    if (result === 'missing') throw notFound(`No newsletter ${row.id}.`);
    await changed(deps, 'newsletter.delete', `newsletter ${row.id} "${row.slug}" deleted`);
    return reply.code(204).send();
  });
}

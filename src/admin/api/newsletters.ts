// /api/v1/newsletters: list, show (with its next runs and last digests), create, update, delete,
// pause and resume, each a call of the core (src/core/newsletters.ts). Send-now and preview are
// in newsletter-actions.ts.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { latestDigests } from '../../core/digests.js';
import { upcomingRuns } from '../../core/newsletter-schedule.js';
import * as core from '../../core/newsletters.js';
import { validateSchedule } from '../../schedule/slots.js';
import type { NewsletterRow } from '../../store/schema.js';
import { wallMs, wallTimeAt } from '../../time-zone.js';
import { type ApiDeps, coreContext, jsonBody, rawParam } from './context.js';
import { digestJson, newsletterJson } from './present.js';

const NEXT_RUNS = 5;
const LAST_DIGESTS = 5;

const words = z.array(z.string());
const filters = z.strictObject({ include: words.optional(), exclude: words.optional(), categories: words.optional(), sources: z.array(z.number()).optional() });
// Ranges and formats are the core's to check: its messages name the field and the allowed values.
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
};
// Pausing and resuming are their own routes (and audit actions); a new newsletter may start paused.
const createBody = z.strictObject({ slug: z.string(), enabled: z.boolean().optional(), ...fields });
const patchBody = z.strictObject({ slug: z.string().optional(), ...fields });

/** By id, or by slug (slugs are never all digits); a 404 when there is none. */
export function findNewsletter(deps: ApiDeps, request: FastifyRequest): Promise<NewsletterRow> {
  return core.findNewsletter(coreContext(deps), rawParam(request, 'id'));
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
  const digests = await latestDigests(coreContext(deps), row.id, LAST_DIGESTS);
  return {
    ...newsletterJson(row),
    scheduleProblem: validateSchedule(row.cron, row.timezone),
    // A paused newsletter has no next runs: nothing will go out until it is resumed.
    nextRuns: upcomingRuns(row, deps.now(), NEXT_RUNS).map((at) => ({ at: at.toISOString(), local: localTime(at, row.timezone) })),
    lastDigests: digests.map((d) => ({ ...digestJson(d), deliveries: d.deliveries })),
  };
}

export function registerNewsletterRoutes(api: FastifyInstance, deps: ApiDeps): void {
  api.get('/newsletters', async () => ({ newsletters: (await core.listNewsletters(coreContext(deps))).map(newsletterJson) }));

  api.get('/newsletters/:id', async (request) => details(deps, await findNewsletter(deps, request)));

  api.post('/newsletters', async (request, reply) => {
    const row = await core.addNewsletter(coreContext(deps), jsonBody(request, createBody));
    return reply.code(201).send(await details(deps, row));
  });

  api.patch('/newsletters/:id', async (request) => {
    const key = rawParam(request, 'id');
    return details(deps, await core.updateNewsletter(coreContext(deps), key, jsonBody(request, patchBody)));
  });

  api.delete('/newsletters/:id', async (request, reply) => {
    await core.removeNewsletter(coreContext(deps), rawParam(request, 'id'));
    return reply.code(204).send();
  });

  for (const [verb, run] of [
    ['pause', core.pauseNewsletter],
    ['resume', core.resumeNewsletter],
  ] as const) {
    api.post(`/newsletters/:id/${verb}`, async (request) => newsletterJson(await run(coreContext(deps), rawParam(request, 'id'))));
  }
}

// /api/v1/sources: list with health, test-read without storing, add (reading the source first
// unless `"test": false`), update, pause, resume, delete. The routes check the JSON's shape; what
// a source may be (only http(s) here: a local path is the CLI's), the ranges and the audit row
// are the core's (src/core/sources.ts), and its errors answer with HTTP_STATUS (errors.ts).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { probeJson } from '../../cli/present.js';
import * as core from '../../core/sources.js';
import { type ApiDeps, coreContext, idParam, jsonBody, queryOf } from './context.js';
import { sourceJson } from './present.js';

const options = z.record(z.string(), z.unknown());
const testBody = z.strictObject({ url: z.string(), kind: z.string().optional(), options: options.optional() });
const addBody = z.strictObject({
  url: z.string(),
  kind: z.string().optional(),
  name: z.string().optional(),
  intervalMinutes: z.number().optional(),
  options: options.optional(),
  /** Read the source first (default true); false needs `kind`. */
  test: z.boolean().optional(),
});
const updateBody = z.strictObject({ name: z.string().optional(), intervalMinutes: z.number().optional(), options: options.optional() });
const pauseBody = z.strictObject({ reason: z.string().optional() });

/** snake_case → camelCase keys, deeply: the CLI's documented probe shape, in the API's casing. */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), camel(v)]));
}

export function registerSourceRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const ctx = () => ({ ...coreContext(deps), fetcher: deps.fetcher, readers: deps.readers, sourceIntervalMinutes: deps.sourceIntervalMinutes });

  api.get('/sources', async () => ({ sources: (await core.listSources(ctx())).map(sourceJson) }));

  api.post('/sources/test', async (request) => {
    const body = jsonBody(request, testBody);
    return camel(probeJson(await core.testSource(ctx(), body)));
  });

  api.post('/sources', async (request, reply) => {
    const body = jsonBody(request, addBody);
    const r = await core.addSource(ctx(), { ...body, check: body.test });
    return reply.code(201).send({ ...sourceJson(r.source), ...(r.items === undefined ? {} : { testedItems: r.items }) });
  });

  api.patch('/sources/:id', async (request) => sourceJson(await core.updateSource(ctx(), idParam(request), jsonBody(request, updateBody))));

  api.post('/sources/:id/pause', async (request) => sourceJson(await core.pauseSource(ctx(), idParam(request), jsonBody(request, pauseBody).reason)));

  api.post('/sources/:id/resume', async (request) => sourceJson(await core.resumeSource(ctx(), idParam(request))));

  api.delete('/sources/:id', async (request, reply) => {
    const { deleteArticles } = queryOf(request, z.strictObject({ deleteArticles: z.enum(['true', 'false']).optional() }));
    await core.removeSource(ctx(), idParam(request), { withArticles: deleteArticles === 'true' });
    return reply.code(204).send();
  });
}

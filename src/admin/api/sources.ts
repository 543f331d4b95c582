// /api/v1/sources: list with health, add (optionally reading the source first), test-read
// without storing, pause, resume, delete. Only http(s) sources: a local folder or file is read
// from the server's disk, so adding one stays with the person at the machine (the CLI).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { probeJson } from '../../cli/present.js';
import { isHttpUrl } from '../../sources/local.js';
import { type Probe, ProbeError, probeSource } from '../../sources/probe.js';
import { FetchError } from '../../sources/types.js';
import { countArticles } from '../../store/articles.js';
import { addSource, getSource, listSources, pauseSource, removeSource, resumeSource } from '../../store/sources.js';
import { type ApiDeps, changed, idParam, jsonBody, queryOf } from './context.js';
import { ApiError, badRequest, conflict, notFound } from './errors.js';
import { sourceJson } from './present.js';

const options = z.strictObject({
  linkSelector: z.string().max(500).optional(),
  followDepth: z.number().int().min(0).max(10).optional(),
  maxItems: z.number().int().min(1).max(500).optional(),
  category: z.string().max(200).optional(),
  lang: z.string().max(20).optional(),
  timeZone: z.string().max(64).optional(),
  weight: z.number().int().min(0).max(100).optional(),
});
const kind = z.enum(['auto', 'feed', 'page', 'textdump']).default('auto');
const url = z.string().refine((u) => isHttpUrl(u) && URL.canParse(u), 'expected an http(s) URL (local folders are added with `tidings sources add`)');
const testBody = z.strictObject({ url, kind, options: options.optional() });
const addBody = z.strictObject({
  url,
  kind,
  name: z.string().trim().min(1).max(300).optional(),
  intervalMinutes: z.number().int().min(1).max(10_080).optional(),
  options: options.optional(),
  test: z.boolean().default(false),
});
const pauseBody = z.strictObject({ reason: z.string().trim().min(1).max(500).optional() });

/** snake_case → camelCase keys, deeply: the CLI's documented probe shape, in the API's casing. */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camel);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), camel(v)]));
}

export function registerSourceRoutes(api: FastifyInstance, deps: ApiDeps): void {
  const probe = async (target: string, k: z.infer<typeof kind>, opts: z.infer<typeof options> = {}): Promise<Probe> => {
    try {
      return await probeSource(target, k, opts, { fetcher: deps.fetcher, readers: deps.readers, log: deps.log, now: deps.now });
    } catch (err) {
      if (err instanceof ProbeError || err instanceof FetchError) throw new ApiError(422, 'probe_failed', `Could not read ${target}: ${err.message}`);
      throw err;
    }
  };
  const find = async (id: number) => {
    const row = await getSource(deps.db, id);
    if (!row) throw notFound(`No source ${id}; see GET /api/v1/sources.`);
    return row;
  };

  api.get('/sources', async () => ({ sources: (await listSources(deps.db)).map(sourceJson) }));

  api.post('/sources/test', async (request) => {
    const body = jsonBody(request, testBody);
    return camel(probeJson(await probe(body.url, body.kind, body.options)));
  });

  api.post('/sources', async (request, reply) => {
    const body = jsonBody(request, addBody);
    let k = body.kind === 'auto' ? undefined : body.kind;
    let name = body.name;
    let items: number | undefined;
    if (body.test) {
      const read = await probe(body.url, body.kind, body.options);
      k = read.kind;
      name ??= read.feed.feed.title;
      items = read.feed.items.length;
    }
    if (!k) throw badRequest('kind: give feed, page or textdump, or "test": true to read the source and detect it.');
    const row = await addSource(deps.db, { kind: k, url: body.url, name: name || body.url, intervalMinutes: body.intervalMinutes ?? deps.sourceIntervalMinutes, options: body.options }, deps.now());
    await changed(deps, 'source.add', `source ${row.id} (${row.kind}) ${row.url} added`);
    return reply.code(201).send({ ...sourceJson(row), ...(items === undefined ? {} : { testedItems: items }) });
  });

  api.post('/sources/:id/pause', async (request) => {
    const row = await find(idParam(request));
    const { reason } = jsonBody(request, pauseBody);
    const updated = await pauseSource(deps.db, row.id, reason ?? 'paused by an admin (API)', deps.now());
    if (!updated) throw notFound(`Source ${row.id} was deleted meanwhile.`);
    await changed(deps, 'source.pause', `source ${row.id} ${row.url} paused`);
    return sourceJson(updated);
  });

  api.post('/sources/:id/resume', async (request) => {
    const row = await find(idParam(request));
    const updated = await resumeSource(deps.db, row.id, deps.now());
    if (!updated) throw notFound(`Source ${row.id} was deleted meanwhile.`);
    await changed(deps, 'source.resume', `source ${row.id} ${row.url} resumed`);
    return sourceJson(updated);
  });

  api.delete('/sources/:id', async (request, reply) => {
    const row = await find(idParam(request));
    const { deleteArticles } = queryOf(request, z.strictObject({ deleteArticles: z.enum(['true', 'false']).optional() }));
    const n = await countArticles(deps.db, { sourceId: row.id });
    if (n > 0 && deleteArticles !== 'true') {
      throw conflict(`Source ${row.id} has ${n} stored articles; DELETE /api/v1/sources/${row.id}?deleteArticles=true deletes them too, or POST /api/v1/sources/${row.id}/pause keeps them.`);
    }
    if (!(await removeSource(deps.db, row.id))) throw notFound(`No source ${row.id}.`);
    await changed(deps, 'source.delete', `source ${row.id} ${row.url} deleted${n ? ` with its ${n} articles` : ''}`);
    return reply.code(204).send();
  });
}

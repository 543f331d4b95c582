// Sources: test, add, update, pause, resume and remove, the same for every front-end. The rules
// that were spelled four ways live here once: what a target may be (http(s) from anywhere, a
// local file or folder only from the server's own shell), reading the source before adding it to
// learn its kind and title, option ranges, and that removing a source with articles needs consent.
import path from 'node:path';
import { z } from 'zod';
import { isHttpUrl, isLocalPath } from '../sources/local.js';
import { type KindChoice, type Probe, ProbeError, probeSource } from '../sources/probe.js';
import { FetchError, type Fetcher, type Reader, type SourceKind, type SourceOptions } from '../sources/types.js';
import { countArticles } from '../store/articles.js';
import type { SourceRow } from '../store/schema.js';
import * as store from '../store/sources.js';
import { recordAudit } from './audit.js';
import type { CoreContext } from './context.js';
import { conflict, invalid, notFound, refused, upstream } from './errors.js';
import { idOf } from './keys.js';

/** What reading a source needs, and the interval new sources get unless told otherwise. */
export interface SourceAdapters {
  fetcher: Fetcher;
  readers: Record<SourceKind, Reader>;
  sourceIntervalMinutes: number;
}

export type SourceContext = CoreContext & SourceAdapters;

export const KIND_CHOICES: readonly KindChoice[] = ['auto', 'feed', 'page', 'textdump'];
const MAX_NAME = 300;
const MAX_INTERVAL_MINUTES = 10_080;

const optionsSchema = z.strictObject({
  linkSelector: z.string().trim().min(1).max(500).optional(),
  followDepth: z.number().int().min(0).max(10).optional(),
  maxItems: z.number().int().min(1).max(500).optional(),
  category: z.string().trim().min(1).max(200).optional(),
  lang: z.string().trim().min(1).max(20).optional(),
  timeZone: z.string().trim().min(1).max(64).optional(),
  weight: z.number().int().min(0).max(100).optional(),
});

/** The options as stored, or CoreError 'invalid' naming the first bad one. */
export function checkOptions(options: unknown): SourceOptions {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'options';
  throw invalid(`Source option ${field}: ${issue.message}.`, field);
}

/**
 * The stored URL for a target, or why it cannot be one. A local path is the server's own disk:
 * only the CLI (someone already on the server) may name one; a web form or a chat must not be a
 * way to read the server's files.
 */
export function checkTarget(ctx: Pick<CoreContext, 'actor'>, target: string, kind: KindChoice): string {
  const t = target.trim();
  if (!t) throw invalid('Give the source as an http(s) URL.', 'url');
  if (isHttpUrl(t)) {
    if (!URL.canParse(t)) throw invalid(`"${t.slice(0, 200)}" is not a valid URL.`, 'url');
    if (kind === 'textdump') throw invalid('Text-dump sources are folders on the server, not URLs: choose feed or page.', 'kind');
    return t;
  }
  if (!isLocalPath(t)) throw invalid(`"${t.slice(0, 200)}" is neither an http(s) URL nor a local path; only http and https sources are fetched.`, 'url');
  if (ctx.actor !== 'cli')
    throw refused(
      `"${t.slice(0, 200)}" is a path on the server; local files and folders are added with \`tidings sources add\` on the server. Give an http(s) URL here.`,
    );
  return path.resolve(t);
}

function checkName(name: string | undefined): string | undefined {
  const n = name?.trim();
  if (n === undefined || n === '') return undefined;
  if (n.length > MAX_NAME) throw invalid(`A source name is at most ${MAX_NAME} characters.`, 'name');
  return n;
}

function checkInterval(minutes: number | undefined): number | undefined {
  if (minutes === undefined) return undefined;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_INTERVAL_MINUTES)
    throw invalid(`The interval is a whole number of minutes from 1 to ${MAX_INTERVAL_MINUTES}.`, 'interval');
  return minutes;
}

function checkKind(kind: string | undefined): KindChoice {
  const k = (kind ?? 'auto') as KindChoice;
  if (!KIND_CHOICES.includes(k)) throw invalid(`The kind is one of ${KIND_CHOICES.join(', ')}.`, 'kind');
  return k;
}

/** The source by id, or by URL; CoreError 'not_found' otherwise. */
export async function findSource(ctx: Pick<CoreContext, 'db'>, key: number | string): Promise<SourceRow> {
  const text = String(key).trim();
  const row = await store.getSource(ctx.db, idOf(text) ?? text);
  if (!row) throw notFound(`No source "${text.slice(0, 200)}": check the id or URL against the list of sources.`);
  return row;
}

export function listSources(ctx: Pick<CoreContext, 'db'>): Promise<SourceRow[]> {
  return store.listSources(ctx.db);
}

export interface TestSourceInput {
  url: string;
  kind?: string;
  options?: unknown;
}

/** Reads a source once and stores nothing: what it would bring in. */
export async function testSource(ctx: SourceContext, input: TestSourceInput): Promise<Probe> {
  const kind = checkKind(input.kind);
  const target = checkTarget(ctx, input.url, kind);
  return read(ctx, target, kind, checkOptions(input.options));
}

async function read(ctx: SourceContext, target: string, kind: KindChoice, options: SourceOptions): Promise<Probe> {
  try {
    return await probeSource(target, kind, options, { fetcher: ctx.fetcher, readers: ctx.readers, log: ctx.log, now: ctx.now });
  } catch (err) {
    if (err instanceof ProbeError || err instanceof FetchError) throw upstream(`Could not read ${target.slice(0, 300)}: ${err.message}`);
    throw err;
  }
}

export interface AddSourceInput {
  url: string;
  /** 'auto' (the default) detects it by reading the source. */
  kind?: string;
  /** Default: the source's own title, else the URL. */
  name?: string;
  intervalMinutes?: number;
  options?: unknown;
  /** Read the source before adding it (default true); without it the kind must be given. */
  check?: boolean;
}

export interface AddSourceResult {
  source: SourceRow;
  /** Items the check read, when it ran. */
  items?: number;
}

export async function addSource(ctx: SourceContext, input: AddSourceInput): Promise<AddSourceResult> {
  let kind = checkKind(input.kind);
  const url = checkTarget(ctx, input.url, kind);
  let name = checkName(input.name);
  const intervalMinutes = checkInterval(input.intervalMinutes) ?? ctx.sourceIntervalMinutes;
  const options = checkOptions(input.options);
  let items: number | undefined;
  if (input.check !== false) {
    const probe = await read(ctx, url, kind, options);
    kind = probe.kind;
    name ??= probe.feed.feed.title?.trim().slice(0, MAX_NAME) || undefined;
    items = probe.feed.items.length;
  }
  if (kind === 'auto') throw invalid('Without reading the source first, give its kind: feed, page or textdump.', 'kind');
  const source = await insert(ctx, { kind, url, name: name ?? url, intervalMinutes, options });
  await recordAudit(ctx, 'source.add', `source ${source.id} (${source.kind}) ${source.url}`);
  return { source, items };
}

/** The insert, with a duplicate URL as CoreError 'conflict'. */
export async function insert(ctx: Pick<CoreContext, 'db' | 'now'>, input: store.AddSourceInput): Promise<SourceRow> {
  try {
    return await store.addSource(ctx.db, input, ctx.now());
  } catch (err) {
    if (err instanceof store.DuplicateSourceError) throw conflict(`A source with the URL ${input.url.slice(0, 300)} already exists.`);
    throw err;
  }
}

export interface UpdateSourceInput {
  name?: string;
  intervalMinutes?: number;
  options?: unknown;
}

export async function updateSource(ctx: CoreContext, key: number | string, input: UpdateSourceInput): Promise<SourceRow> {
  const row = await findSource(ctx, key);
  const name = input.name === undefined ? undefined : checkName(input.name);
  if (input.name !== undefined && name === undefined) throw invalid('A source name cannot be empty.', 'name');
  const patch = { name, intervalMinutes: checkInterval(input.intervalMinutes), options: input.options === undefined ? undefined : checkOptions(input.options) };
  const changes = Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  if (changes.length === 0) throw invalid('Nothing to change: give a name, an interval or options.');
  const updated = await store.updateSource(ctx.db, row.id, patch, ctx.now());
  if (!updated) throw notFound(`Source ${row.id} was removed meanwhile.`);
  await recordAudit(ctx, 'source.update', `source ${row.id} ${row.url}: ${changes.join(', ')}`);
  return updated;
}

export async function pauseSource(ctx: CoreContext, key: number | string, reason?: string): Promise<SourceRow> {
  const row = await findSource(ctx, key);
  const why = reason?.trim() || `paused by ${ctx.actor}`;
  if (why.length > 500) throw invalid('A pause reason is at most 500 characters.', 'reason');
  const updated = await store.pauseSource(ctx.db, row.id, why, ctx.now());
  if (!updated) throw notFound(`Source ${row.id} was removed meanwhile.`);
  await recordAudit(ctx, 'source.pause', `source ${row.id} ${row.url}: ${why}`);
  return updated;
}

/** Enabled again, failures forgiven, due at once. */
export async function resumeSource(ctx: CoreContext, key: number | string): Promise<SourceRow> {
  const row = await findSource(ctx, key);
  const updated = await store.resumeSource(ctx.db, row.id, ctx.now());
  if (!updated) throw notFound(`Source ${row.id} was removed meanwhile.`);
  await recordAudit(ctx, 'source.resume', `source ${row.id} ${row.url}`);
  return updated;
}

export interface RemoveSourceResult {
  source: SourceRow;
  articles: number;
}

/** Removing a source deletes its articles: with any stored, `withArticles` must say so. */
export async function removeSource(ctx: CoreContext, key: number | string, opts: { withArticles?: boolean } = {}): Promise<RemoveSourceResult> {
  const source = await findSource(ctx, key);
  const articles = await countArticles(ctx.db, { sourceId: source.id });
  if (articles > 0 && !opts.withArticles) {
    throw conflict(
      `Source ${source.id} "${source.name}" has ${articles} stored articles, which removing it deletes too: confirm that, or pause the source to keep them.`,
    );
  }
  if (!(await store.removeSource(ctx.db, source.id))) throw notFound(`Source ${source.id} was removed meanwhile.`);
  await recordAudit(ctx, 'source.remove', `source ${source.id} ${source.url}${articles ? ` with its ${articles} articles` : ''}`);
  return { source, articles };
}

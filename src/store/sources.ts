// Sources and their health. The clock is always passed in (`now`), so scheduling, backoff and
// pausing are plain functions of their inputs and tests need no fake timers.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DialectName } from './db.js';
import type { SourceKind, SourceOptions } from '../sources/types.js';
import { jsonObject } from './json-column.js';
import type { Database, SourceRow } from './schema.js';

export const DEFAULT_INTERVAL_MINUTES = 60;
const MAX_BACKOFF_MS = 24 * 60 * 60 * 1000;
const MAX_ERROR_CHARS = 1000;
const KINDS: readonly SourceKind[] = ['feed', 'page', 'textdump'];

export class DuplicateSourceError extends Error {
  override readonly name = 'DuplicateSourceError';
  constructor(readonly url: string) {
    super(`A source with the URL ${url} already exists; see \`tidings sources list\`.`);
  }
}

export interface AddSourceInput {
  kind: SourceKind;
  url: string;
  name: string;
  intervalMinutes?: number;
  options?: SourceOptions;
}

export async function addSource(db: Kysely<Database>, input: AddSourceInput, now: Date): Promise<SourceRow> {
  if (!KINDS.includes(input.kind)) {
    throw new Error(`Unknown source kind "${input.kind}": use one of ${KINDS.join(', ')}.`);
  }
  const interval = input.intervalMinutes ?? DEFAULT_INTERVAL_MINUTES;
  if (!Number.isInteger(interval) || interval < 1) {
    throw new Error(`Source interval must be a whole number of minutes ≥ 1, got ${interval}.`);
  }
  const at = now.toISOString();
  // ON CONFLICT rather than a look-up first: two admins adding the same URL at once still get
  // one row and one clear error, on both dialects.
  const row = await db
    .insertInto('sources')
    .values({
      kind: input.kind,
      url: input.url,
      name: input.name,
      interval_minutes: interval,
      options: JSON.stringify(input.options ?? {}),
      created_at: at,
      updated_at: at,
    })
    .onConflict((oc) => oc.column('url').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new DuplicateSourceError(input.url);
  return row;
}

export interface SourcePatch {
  name?: string;
  intervalMinutes?: number;
  options?: SourceOptions;
}

/** Changes what an admin may change after adding (never the URL: that is another source); undefined when there is no such source. */
export function updateSource(db: Kysely<Database>, id: number, patch: SourcePatch, now: Date): Promise<SourceRow | undefined> {
  return db
    .updateTable('sources')
    .set({
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.intervalMinutes !== undefined ? { interval_minutes: patch.intervalMinutes } : {}),
      ...(patch.options !== undefined ? { options: JSON.stringify(patch.options) } : {}),
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function listSources(db: Kysely<Database>): Promise<SourceRow[]> {
  return db.selectFrom('sources').selectAll().orderBy('id').execute();
}

export function getSource(db: Kysely<Database>, idOrUrl: number | string): Promise<SourceRow | undefined> {
  const query = db.selectFrom('sources').selectAll();
  return (typeof idOrUrl === 'number' ? query.where('id', '=', idOrUrl) : query.where('url', '=', idOrUrl)).executeTakeFirst();
}

/** Deletes the source and (by cascade) its articles; false when there was no such source. */
export async function removeSource(db: Kysely<Database>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('sources').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export function pauseSource(db: Kysely<Database>, id: number, reason: string, now: Date): Promise<SourceRow | undefined> {
  return db
    .updateTable('sources')
    .set({ enabled: 0, paused_reason: reason, updated_at: now.toISOString() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Re-enables a source, forgives its failures and makes it due at once. */
export function resumeSource(db: Kysely<Database>, id: number, now: Date): Promise<SourceRow | undefined> {
  const at = now.toISOString();
  return db
    .updateTable('sources')
    .set({ enabled: 1, paused_reason: null, consecutive_failures: 0, next_fetch_at: at, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Takes up to `limit` due sources for this process by pushing their next fetch `leaseMs` ahead:
 * another replica's loop no longer sees them as due, and if this process dies they come due
 * again when the lease ends. A fetch's outcome then sets the real next time.
 */
export async function claimDueSources(db: Kysely<Database>, dialect: DialectName, now: Date, opts: { limit: number; leaseMs: number }): Promise<number[]> {
  const at = now.toISOString();
  const due = dueFirst(db.selectFrom('sources').select('id'), at)
    .limit(opts.limit)
    .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked());
  const rows = await db
    .updateTable('sources')
    .set({ next_fetch_at: new Date(now.getTime() + opts.leaseMs).toISOString() })
    .where('id', 'in', due)
    // Re-checked here: on SQLite the subquery and the update are one statement anyway.
    .where((eb) => eb.or([eb('next_fetch_at', 'is', null), eb('next_fetch_at', '<=', at)]))
    .returning('id')
    .execute();
  return rows.map((r) => r.id).sort((a, b) => a - b);
}

/** Enabled sources due at `at`, never-fetched ones first, then the most overdue. */
function dueFirst<O>(query: SelectQueryBuilder<Database, 'sources', O>, at: string): SelectQueryBuilder<Database, 'sources', O> {
  return (
    query
      .where('enabled', '=', 1)
      .where((eb) => eb.or([eb('next_fetch_at', 'is', null), eb('next_fetch_at', '<=', at)]))
      // COALESCE to '' sorts NULL first on both dialects (they disagree about bare NULL order).
      .orderBy((eb) => eb.fn.coalesce('next_fetch_at', eb.val('')))
      .orderBy('id')
  );
}

/** Enabled sources whose next fetch is due, never-fetched ones first, then the most overdue. */
export function dueSources(db: Kysely<Database>, now: Date, limit?: number): Promise<SourceRow[]> {
  return dueFirst(db.selectFrom('sources').selectAll(), now.toISOString())
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
}

export interface FetchSuccess {
  status: 'ok' | 'not-modified';
  etag?: string | null;
  lastModified?: string | null;
}

/** What recording a fetch needs of its source: the row an ingest run already holds will do. */
export type FetchedSource = Pick<SourceRow, 'id' | 'etag' | 'last_modified' | 'interval_minutes'>;

/**
 * Records a successful fetch. Given the source's row (as ingest has it), no query re-reads it:
 * on a 304 pass that read was half of the database work per source.
 */
export async function recordFetchSuccess(
  db: Kysely<Database>,
  sourceOrId: number | FetchedSource,
  result: FetchSuccess,
  now: Date,
): Promise<SourceRow | undefined> {
  const source = typeof sourceOrId === 'number' ? await getSource(db, sourceOrId) : sourceOrId;
  if (!source) return undefined;
  return successUpdate(db, source, result, now).returningAll().executeTakeFirst();
}

/**
 * recordFetchSuccess for many sources in one transaction (an ingest run's fetches that finished
 * together): on a 304 pass a commit per source was most of the database time.
 */
export async function recordFetchSuccesses(
  db: Kysely<Database>,
  entries: readonly { source: FetchedSource; result: FetchSuccess; now: Date }[],
): Promise<void> {
  if (entries.length === 0) return;
  // In id order, so two processes recording overlapping sources lock the rows in the same order.
  const sorted = [...entries].sort((a, b) => a.source.id - b.source.id);
  await db.transaction().execute(async (trx) => {
    for (const { source, result, now } of sorted) await successUpdate(trx, source, result, now).execute();
  });
}

function successUpdate(db: Kysely<Database>, source: FetchedSource, result: FetchSuccess, now: Date) {
  const at = now.toISOString();
  // A 304 usually omits the validators; keep the ones we have so the next request is
  // conditional too. A 200 without them means the server stopped sending them: drop ours.
  const keep = result.status === 'not-modified';
  return db
    .updateTable('sources')
    .set({
      last_status: result.status,
      last_fetched_at: at,
      etag: result.etag ?? (keep ? source.etag : null),
      last_modified: result.lastModified ?? (keep ? source.last_modified : null),
      consecutive_failures: 0,
      last_error: null,
      next_fetch_at: new Date(now.getTime() + source.interval_minutes * 60_000).toISOString(),
      updated_at: at,
    })
    .where('id', '=', source.id);
}

export interface FailureOptions {
  /** Pause the source once it has failed this many times in a row; below 1 never pauses. */
  pauseAfter: number;
}

export async function recordFetchFailure(db: Kysely<Database>, id: number, message: string, now: Date, opts: FailureOptions): Promise<SourceRow> {
  const at = now.toISOString();
  const error = message.length > MAX_ERROR_CHARS ? `${message.slice(0, MAX_ERROR_CHARS - 1)}…` : message;
  // Incrementing in SQL keeps the count exact when two replicas record failures at once.
  const row = await db
    .updateTable('sources')
    .set((eb) => ({
      consecutive_failures: eb('consecutive_failures', '+', 1),
      last_status: 'error',
      last_error: error,
      last_fetched_at: at,
      updated_at: at,
    }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new Error(`Cannot record a failure for source ${id}: no such source (was it removed?).`);
  const failures = row.consecutive_failures;
  const pause = opts.pauseAfter >= 1 && failures >= opts.pauseAfter && row.enabled === 1;
  const reason = `paused automatically after ${failures} consecutive failures; last error: ${error}; ` + `run \`tidings sources resume ${id}\` after fixing it`;
  const updated = await db
    .updateTable('sources')
    .set({
      next_fetch_at: new Date(now.getTime() + backoffMs(row.interval_minutes, failures)).toISOString(),
      ...(pause ? { enabled: 0, paused_reason: reason } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  return updated ?? row;
}

/**
 * Wait before retrying a failing source: the interval doubled per consecutive failure, capped at
 * a day, but never sooner than the normal interval (a weekly source stays weekly).
 */
export function backoffMs(intervalMinutes: number, failures: number): number {
  const interval = intervalMinutes * 60_000;
  return Math.max(interval, Math.min(interval * 2 ** failures, MAX_BACKOFF_MS));
}

/** The source's options, or {} when the stored JSON is unreadable; fields of the wrong type are dropped. */
export function sourceOptions(row: Pick<SourceRow, 'options'>): SourceOptions {
  const raw = jsonObject(row.options);
  const out: SourceOptions = {};
  for (const key of ['linkSelector', 'category', 'lang', 'timeZone'] as const) {
    const v = raw[key];
    if (typeof v === 'string') out[key] = v;
  }
  for (const key of ['followDepth', 'maxItems', 'weight'] as const) {
    const v = raw[key];
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  }
  return out;
}

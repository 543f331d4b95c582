// Articles: exact-duplicate look-ups, near-duplicate candidates, batch insertion, listing and
// keyword search. Uniqueness is enforced by the database, not by look-ups: two replicas ingesting
// the same story at once end with one row and one counted conflict, never an error.
import { type Kysely, sql } from 'kysely';
import type { ArticleRow, Database, NewArticle } from './schema.js';

/** Longest IN list per statement: well under SQLite's bound-variable limit on any build. */
const IN_CHUNK = 500;
/**
 * Bound values per INSERT statement: fewer, larger statements save PostgreSQL round trips, and
 * this stays far below the limits (SQLite ≥ 3.32: 32,766; PostgreSQL: 65,535).
 */
const PARAMS_PER_INSERT = 8000;
const DEADLOCK_RETRIES = 3;

/**
 * Batches for statements: `max` at a time, then the rest in pieces of descending powers of two,
 * so a batch of any size is built from a dozen distinct SQL texts at most. The store prepares each
 * SQL text once and keeps it (db.ts); with a remainder of every size, a first ingest left a
 * few hundred many-row statements prepared, tens of MB of compiled SQLite programs.
 */
export function statementChunks<T>(items: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  let i = 0;
  for (; items.length - i >= max; i += max) out.push(items.slice(i, i + max));
  for (let size = 2 ** Math.floor(Math.log2(max)); size >= 1 && i < items.length; size /= 2) {
    if (items.length - i >= size) {
      out.push(items.slice(i, i + size));
      i += size;
    }
  }
  return out;
}

export interface ExactKeys {
  guidKeys: Iterable<string>;
  canonicalUrls: Iterable<string>;
  fingerprints: Iterable<string>;
}

export interface KnownKeys {
  guidKeys: Set<string>;
  canonicalUrls: Set<string>;
  fingerprints: Set<string>;
}

/** Which of the given keys are already stored. */
export async function findExisting(db: Kysely<Database>, keys: ExactKeys): Promise<KnownKeys> {
  return {
    guidKeys: await known(db, 'guid_key', keys.guidKeys),
    canonicalUrls: await known(db, 'canonical_url', keys.canonicalUrls),
    fingerprints: await known(db, 'fingerprint', keys.fingerprints),
  };
}

async function known(db: Kysely<Database>, column: 'guid_key' | 'canonical_url' | 'fingerprint', values: Iterable<string>): Promise<Set<string>> {
  const found = new Set<string>();
  for (const part of statementChunks([...new Set(values)], IN_CHUNK)) {
    const rows = await db.selectFrom('articles').select(column).where(column, 'in', part).execute();
    for (const row of rows) {
      const value = row[column];
      if (value !== null) found.add(value);
    }
  }
  return found;
}

/** What the near-duplicate index keeps of a stored article (see ingest/story-index.ts). */
export interface StorySignatureRow {
  id: number;
  cluster_id: number | null;
  minhash: string | null;
  fetched_at: string;
}

/** Rows per read when loading signatures: bounds the memory of a start-up load. */
const SIGNATURE_PAGE = 2000;

/**
 * Signatures of the articles fetched since `since`, a page at a time, oldest id first. The
 * fetched_at index finds where the window starts; ids then follow fetch order closely enough to
 * page by id (rows before the window that sneak in are filtered).
 */
export async function* listStorySignatures(db: Kysely<Database>, since: string): AsyncGenerator<StorySignatureRow[]> {
  const first = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.min<number>('id').as('id'))
    .where('fetched_at', '>=', since)
    .executeTakeFirst();
  if (first?.id === null || first?.id === undefined) return;
  let after = Number(first.id) - 1;
  for (;;) {
    const rows = await db
      .selectFrom('articles')
      .select(['id', 'cluster_id', 'minhash', 'fetched_at'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(SIGNATURE_PAGE)
      .execute();
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.filter((r) => r.fetched_at >= since && r.minhash !== null);
  }
}

/** Ids above `afterId`, ascending (cheap: the primary key alone). */
export async function listArticleIdsAfter(db: Kysely<Database>, afterId: number): Promise<number[]> {
  const rows = await db.selectFrom('articles').select('id').where('id', '>', afterId).orderBy('id').execute();
  return rows.map((r) => r.id);
}

export async function getStorySignatures(db: Kysely<Database>, ids: readonly number[]): Promise<StorySignatureRow[]> {
  const out: StorySignatureRow[] = [];
  for (const part of statementChunks(ids, IN_CHUNK)) {
    out.push(...(await db.selectFrom('articles').select(['id', 'cluster_id', 'minhash', 'fetched_at']).where('id', 'in', part).execute()));
  }
  return out;
}

export interface InsertResult {
  /** The rows actually inserted, in input order. */
  inserted: { id: number; guid_key: string }[];
  /** Rows skipped because one of their unique keys was already stored (or repeated in the batch). */
  conflicts: number;
}

type ArticleValues = Required<Omit<NewArticle, 'id'>>;

// Every column spelled out: a multi-row INSERT must give all rows the same columns, and SQLite
// has no DEFAULT keyword to fill the gaps with.
function values(a: NewArticle): ArticleValues {
  return {
    source_id: a.source_id,
    guid: a.guid,
    guid_key: a.guid_key,
    url: a.url ?? null,
    canonical_url: a.canonical_url ?? null,
    title: a.title,
    author: a.author ?? null,
    published_at: a.published_at,
    fetched_at: a.fetched_at,
    lang: a.lang,
    category: a.category ?? null,
    categories: a.categories ?? '[]',
    text: a.text,
    html: a.html ?? null,
    image_url: a.image_url ?? null,
    summary: a.summary ?? null,
    summary_method: a.summary_method ?? null,
    fingerprint: a.fingerprint,
    cluster_id: a.cluster_id ?? null,
    minhash: a.minhash ?? null,
    search_text: a.search_text,
    nav_previous: a.nav_previous ?? null,
    nav_next: a.nav_next ?? null,
  };
}

/**
 * Inserts a batch in one transaction, skipping rows whose guid_key, canonical_url or fingerprint
 * is already stored. An inserted article without a cluster starts its own (cluster_id = its id).
 */
export async function insertArticles(db: Kysely<Database>, rows: readonly NewArticle[]): Promise<InsertResult> {
  if (rows.length === 0) return { inserted: [], conflicts: 0 };
  // Inserting in key order makes concurrent batches take their unique-index locks in the same
  // order, which avoids most PostgreSQL deadlocks; the retry covers the rest.
  const sorted = [...rows].sort((x, y) => (x.guid_key < y.guid_key ? -1 : x.guid_key > y.guid_key ? 1 : 0));
  // Inside a caller's transaction, that transaction is the unit (and its owner retries).
  const ids = db.isTransaction ? await insertSorted(db, sorted) : await retryOnDeadlock(() => db.transaction().execute((trx) => insertSorted(trx, sorted)));
  const inserted: InsertResult['inserted'] = [];
  for (const article of rows) {
    const id = ids.get(rowKey(article));
    if (id === undefined) continue;
    ids.delete(rowKey(article)); // a row repeated in the batch was inserted once
    inserted.push({ id, guid_key: article.guid_key });
  }
  return { inserted, conflicts: rows.length - inserted.length };
}

// guid_key alone is unique among stored rows, but a batch may repeat a guid_key with different
// content; the fingerprint tells which of the repeats was the one inserted.
function rowKey(a: { guid_key: string; fingerprint: string }): string {
  return `${a.guid_key}\n${a.fingerprint}`;
}

async function insertSorted(trx: Kysely<Database>, rows: readonly NewArticle[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const needsCluster: number[] = [];
  const perStatement = Math.max(1, Math.floor(PARAMS_PER_INSERT / Object.keys(values(rows[0]!)).length));
  for (const part of statementChunks(rows, perStatement)) {
    const returned = await trx
      .insertInto('articles')
      .values(part.map(values))
      .onConflict((oc) => oc.doNothing())
      .returning(['id', 'guid_key', 'fingerprint', 'cluster_id'])
      .execute();
    for (const r of returned) {
      ids.set(rowKey(r), r.id);
      if (r.cluster_id === null) needsCluster.push(r.id);
    }
  }
  for (const part of statementChunks(needsCluster, IN_CHUNK)) {
    await trx
      .updateTable('articles')
      .set((eb) => ({ cluster_id: eb.ref('id') }))
      .where('id', 'in', part)
      .execute();
  }
  return ids;
}

/** Joins a stored article to an earlier story: its near-duplicate leader's cluster. */
export async function setCluster(db: Kysely<Database>, articleId: number, clusterId: number): Promise<void> {
  await db.updateTable('articles').set({ cluster_id: clusterId }).where('id', '=', articleId).execute();
}

async function retryOnDeadlock<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      // 40P01: PostgreSQL chose this transaction as a deadlock victim and rolled it back.
      if ((err as { code?: unknown }).code !== '40P01' || attempt >= DEADLOCK_RETRIES) throw err;
    }
  }
}

export interface ArticleFilter {
  sourceId?: number;
  /** Only articles published at or after this ISO timestamp. */
  since?: string;
}

export async function countArticles(db: Kysely<Database>, filter: ArticleFilter = {}): Promise<number> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .$if(filter.sourceId !== undefined, (q) => q.where('source_id', '=', filter.sourceId!))
    .$if(filter.since !== undefined, (q) => q.where('published_at', '>=', filter.since!))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface ListOptions extends ArticleFilter {
  limit: number;
  offset?: number;
}

/** Newest first (by publication time, then by id). */
export function listArticles(db: Kysely<Database>, opts: ListOptions): Promise<ArticleRow[]> {
  return db
    .selectFrom('articles')
    .selectAll()
    .$if(opts.sourceId !== undefined, (q) => q.where('source_id', '=', opts.sourceId!))
    .$if(opts.since !== undefined, (q) => q.where('published_at', '>=', opts.since!))
    .orderBy('published_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .$if(opts.offset !== undefined, (q) => q.offset(opts.offset!))
    .execute();
}

/** `%`, `_` and the escape character itself match literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Articles whose search_text contains every word (substring, case-insensitive), newest first.
 * Substring matching works for Chinese, where words are not separated by spaces in queries.
 */
export function searchArticles(db: Kysely<Database>, words: readonly string[], opts: { limit: number }): Promise<ArticleRow[]> {
  const terms = [...new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w !== ''))];
  let query = db.selectFrom('articles').selectAll();
  for (const term of terms) {
    // search_text is stored lower-cased; lower() also covers rows written by other tools.
    query = query.where(sql<boolean>`lower(search_text) like ${`%${escapeLike(term)}%`} escape '\\'`);
  }
  return query.orderBy('published_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

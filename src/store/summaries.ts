// Article summaries: which articles still need one, and storing one. A summary is written once:
// the update only applies while the column is still NULL, so when two replicas summarize the
// same article the first write wins and the second is a counted no-op, never an overwrite.
import type { Kysely } from 'kysely';
import type { ArticleRow, Database } from './schema.js';

/** What a summarizer needs of an article. */
export type PendingArticle = Pick<ArticleRow, 'id' | 'title' | 'text' | 'lang'>;

export interface PendingOptions {
  limit: number;
  /** Only ids above this one: lets a run page through the queue without meeting its own failures again. */
  afterId?: number;
}

/** Articles without a summary, oldest stored first (ascending id). */
export function listUnsummarized(db: Kysely<Database>, opts: PendingOptions): Promise<PendingArticle[]> {
  return db
    .selectFrom('articles')
    .select(['id', 'title', 'text', 'lang'])
    .where('summary', 'is', null)
    .$if(opts.afterId !== undefined, (q) => q.where('id', '>', opts.afterId!))
    .orderBy('id', 'asc')
    .limit(opts.limit)
    .execute();
}

export async function countUnsummarized(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('articles')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('summary', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Stores a summary and the method that produced it, unless the article already has one (or no
 * longer exists). True when this call wrote it.
 */
export async function storeSummary(db: Kysely<Database>, articleId: number, summary: { text: string; method: string }): Promise<boolean> {
  const result = await db
    .updateTable('articles')
    .set({ summary: summary.text, summary_method: summary.method })
    .where('id', '=', articleId)
    .where('summary', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface SummaryWrite {
  articleId: number;
  text: string;
  method: string;
}

/**
 * storeSummary for a batch, in one transaction: a commit per summary was most of the stage's
 * write time (50,000 commits on a first ingest). Same rule per article: only a missing summary is
 * written. Returns, in order, whether each one was written by this call.
 */
export function storeSummaries(db: Kysely<Database>, batch: readonly SummaryWrite[]): Promise<boolean[]> {
  if (batch.length === 0) return Promise.resolve([]);
  // In id order: two replicas writing overlapping batches lock the rows in the same order, so
  // PostgreSQL has no deadlock to break.
  const order = batch.map((_, i) => i).sort((a, b) => batch[a]!.articleId - batch[b]!.articleId);
  return db.transaction().execute(async (trx) => {
    const written: boolean[] = new Array(batch.length);
    for (const i of order) written[i] = await storeSummary(trx, batch[i]!.articleId, { text: batch[i]!.text, method: batch[i]!.method });
    return written;
  });
}

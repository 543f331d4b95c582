// The queries of digest selection (src/digest/select.ts): the window's candidate articles a
// newsletter never showed, the sources' names and weights, and the texts of the chosen.
import { type Kysely, sql } from 'kysely';
import type { Database } from './schema.js';
import { sourceOptions } from './sources.js';

export interface Candidate {
  id: number;
  source_id: number;
  title: string;
  url: string | null;
  canonical_url: string | null;
  published_at: string;
  lang: string;
  category: string | null;
  categories: string;
  summary: string | null;
  image_url: string | null;
  cluster_id: number | null;
  text?: string;
}

export interface CandidateQuery {
  /** Exclusive: articles fetched after this. */
  windowStart: Date;
  /** Inclusive: articles fetched at or before this. */
  windowEnd: Date;
  /** Only these sources' articles (absent: all). */
  sources?: number[];
  /** Read each article's text too (keyword filters need it). */
  withText: boolean;
  /** Newest first, at most this many. */
  limit: number;
}

/** Articles fetched in the window that this newsletter never sent, nor any article of a story it sent. */
export function digestCandidates(db: Kysely<Database>, newsletterId: number, q: CandidateQuery): Promise<Candidate[]> {
  return (
    db
      .selectFrom('articles as a')
      .select(['a.id', 'a.source_id', 'a.title', 'a.url', 'a.canonical_url', 'a.published_at', 'a.lang', 'a.category', 'a.categories'])
      .select(['a.summary', 'a.image_url', 'a.cluster_id'])
      // The text is the bulk of a row; read it for thousands of candidates only when keywords need it.
      .$if(q.withText, (qb) => qb.select('a.text'))
      .where('a.fetched_at', '>', q.windowStart.toISOString())
      .where('a.fetched_at', '<=', q.windowEnd.toISOString())
      .$if(q.sources !== undefined, (qb) => qb.where('a.source_id', 'in', q.sources!))
      // Never an article this newsletter already sent, nor a re-report of a story it sent.
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('digest_items as d').select(sql`1`.as('one')).whereRef('d.article_id', '=', 'a.id').where('d.newsletter_id', '=', newsletterId))),
      )
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('digest_items as d')
              .innerJoin('articles as b', 'b.id', 'd.article_id')
              .select(sql`1`.as('one'))
              .whereRef('b.cluster_id', '=', 'a.cluster_id')
              .where('d.newsletter_id', '=', newsletterId),
          ),
        ),
      )
      .orderBy('a.fetched_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(q.limit)
      .execute()
  );
}

/** Every source's name and weight (options.weight, default 1), by id. */
export async function sourceWeights(db: Kysely<Database>): Promise<Map<number, { name: string; weight: number }>> {
  const rows = await db.selectFrom('sources').select(['id', 'name', 'options']).execute();
  return new Map(rows.map((s) => [s.id, { name: s.name, weight: sourceOptions(s).weight ?? 1 }]));
}

export async function articleTexts(db: Kysely<Database>, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('articles').select(['id', 'text']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.text]));
}

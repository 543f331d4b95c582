// Which articles go into a newsletter's next digest, best first. Candidates are the articles
// fetched in the window that this newsletter never showed (nor any article of the same story);
// the newsletter's filters keep some; near-duplicates collapse into one entry per cluster; the
// entries are ranked by recency, source weight and how many outlets carried the story; the top
// `max_items` remain. Each entry says why it was chosen.
import type { Kysely } from 'kysely';
import { articleTexts, type Candidate, digestCandidates, sourceWeights } from '../store/digest-candidates.js';
import { newsletterFilters } from '../store/newsletters.js';
import type { Database, NewsletterRow } from '../store/schema.js';
import { compileFilter } from './filters.js';

export const DEFAULT_HALF_LIFE_HOURS = 24;
/** Newest candidates read per digest: a day of 1,000 busy sources, without reading a month. */
export const CANDIDATE_LIMIT = 3000;

export interface SelectOptions {
  /** Exclusive: articles fetched after this. */
  windowStart: Date;
  /** Inclusive: articles fetched at or before this. */
  windowEnd: Date;
  /** Recency is measured from here. */
  now: Date;
  /** Overrides the sources' own `options.weight` (default 1), e.g. for a preview. */
  sourceWeights?: ReadonlyMap<number, number>;
  halfLifeHours?: number;
  candidateLimit?: number;
}

export interface SelectedArticle {
  id: number;
  sourceId: number;
  sourceName: string;
  title: string;
  /** Canonical URL when known, else the link as given; null for text dumps without one. */
  url: string | null;
  publishedAt: Date;
  lang: string;
  category: string | null;
  summary: string | null;
  /** The article's text; loaded when it has no summary (compose falls back to an excerpt). */
  text: string;
  imageUrl: string | null;
}

export interface SelectedItem {
  article: SelectedArticle;
  /** One other article per other source in the same cluster, best first. */
  alsoReportedBy: { articleId: number; sourceId: number; name: string; url: string | null }[];
  /** Every other article of the cluster in this window (recorded as sent with the entry). */
  clusterArticleIds: number[];
  reasons: string[];
  score: number;
}

type NewsletterForSelect = Pick<NewsletterRow, 'id' | 'filters' | 'max_items'>;

function parseList(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

interface Scored {
  row: Candidate;
  score: number;
  reasons: string[];
}

function byScore(x: Scored, y: Scored): number {
  return y.score - x.score || (y.row.published_at > x.row.published_at ? 1 : y.row.published_at < x.row.published_at ? -1 : 0) || y.row.id - x.row.id;
}

export async function selectArticles(db: Kysely<Database>, newsletter: NewsletterForSelect, opts: SelectOptions): Promise<SelectedItem[]> {
  const filters = newsletterFilters(newsletter);
  const filter = compileFilter(filters);
  const rows = await digestCandidates(db, newsletter.id, {
    windowStart: opts.windowStart,
    windowEnd: opts.windowEnd,
    sources: filters.sources,
    withText: filter.needsText,
    limit: opts.candidateLimit ?? CANDIDATE_LIMIT,
  });
  if (rows.length === 0) return [];
  const sources = await sourceWeights(db);
  const weightOf = (id: number): number => {
    const w = opts.sourceWeights?.get(id) ?? sources.get(id)?.weight ?? 1;
    return Number.isFinite(w) && w > 0 ? w : 0;
  };
  const halfLifeMs = (opts.halfLifeHours ?? DEFAULT_HALF_LIFE_HOURS) * 3_600_000;

  const clusters = new Map<string, Scored[]>();
  for (const row of rows) {
    const verdict = filter.test({
      title: row.title,
      text: row.text ?? '',
      category: row.category,
      categories: parseList(row.categories),
      sourceId: row.source_id,
    });
    if (!verdict.pass) continue;
    const age = Math.max(0, opts.now.getTime() - Date.parse(row.published_at));
    const scored = { row, score: weightOf(row.source_id) * 0.5 ** (age / halfLifeMs), reasons: verdict.reasons };
    const key = row.cluster_id === null ? `a${row.id}` : `c${row.cluster_id}`;
    const members = clusters.get(key);
    if (members) members.push(scored);
    else clusters.set(key, [scored]);
  }

  const entries = [...clusters.values()].map((members) => {
    members.sort(byScore);
    const best = members[0]!;
    const outlets = new Set(members.map((m) => m.row.source_id));
    // Outlets, not articles: one site re-posting its own story is not wider coverage.
    return { members, best: { ...best, score: best.score * (1 + Math.log(outlets.size)) }, outlets: outlets.size };
  });
  entries.sort((x, y) => byScore(x.best, y.best));
  const chosen = entries.slice(0, newsletter.max_items);
  const texts = await articleTexts(db, filter.needsText ? [] : chosen.filter((e) => e.best.row.summary === null).map((e) => e.best.row.id));

  return chosen.map(({ members, best, outlets }, i) => {
    const { row } = best;
    const nameOf = (id: number) => sources.get(id)?.name ?? `source ${id}`;
    const seen = new Set([row.source_id]);
    const alsoReportedBy: SelectedItem['alsoReportedBy'] = [];
    for (const m of members.slice(1)) {
      if (seen.has(m.row.source_id)) continue;
      seen.add(m.row.source_id);
      alsoReportedBy.push({ articleId: m.row.id, sourceId: m.row.source_id, name: nameOf(m.row.source_id), url: m.row.canonical_url ?? m.row.url });
    }
    const weight = weightOf(row.source_id);
    const reasons = [
      ...best.reasons,
      ...(outlets > 1 ? [`${outlets} sources`] : []),
      ...(weight !== 1 ? [`source weight ${weight}`] : []),
      `ranked ${i + 1} of ${entries.length}`,
    ];
    return {
      article: {
        id: row.id,
        sourceId: row.source_id,
        sourceName: nameOf(row.source_id),
        title: row.title,
        url: row.canonical_url ?? row.url,
        publishedAt: new Date(row.published_at),
        lang: row.lang,
        category: row.category,
        summary: row.summary,
        text: row.text ?? texts.get(row.id) ?? '',
        imageUrl: row.image_url,
      },
      alsoReportedBy,
      clusterArticleIds: members.slice(1).map((m) => m.row.id),
      reasons,
      score: best.score,
    };
  });
}

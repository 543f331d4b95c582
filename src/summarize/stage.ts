// The summaries stage: every stored article without a summary gets one, with the method that
// produced it, right after ingest. Summaries are computed once per article: the store only
// writes a summary that is still missing, so a rerun, or another replica, never redoes one.
// One article failing is a count and a log line; the article stays pending for the next run.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Database } from '../store/schema.js';
import { mapLimit } from '../sources/map-limit.js';
import { type PendingArticle, type SummaryWrite, listUnsummarized, storeSummaries, storeSummary } from '../store/summaries.js';
import type { Work } from '../work/tasks.js';
import { type Summarizer, type SummaryBudget, resolveBudget } from './summarizer.js';

export interface SummarizeStageDeps {
  db: Kysely<Database>;
  summarizer: Summarizer;
  log: Logger;
  now?: () => Date;
}

export interface SummarizeStageOptions {
  /** Most articles attempted in this run; default: every pending one. */
  limit?: number;
  budget?: SummaryBudget;
  /**
   * Articles summarized at the same time. It bounds the requests in flight on the LLM path, and
   * the tasks queued for the worker pool on the extractive one.
   */
  concurrency?: number;
  /** Articles read from the store per query. */
  batchSize?: number;
  /** Called after each batch with the counts so far. */
  onProgress?: (sofar: SummarizeResult) => void;
}

export interface SummarizeResult {
  summarized: number;
  /** Summarizer or store errors; those articles stay pending. */
  failed: number;
  /** Already summarized by someone else (another replica) between reading and writing. */
  skipped: number;
  /** Stored summaries per method ('extractive', 'llm:<model>', 'extractive-fallback'). */
  byMethod: Record<string, number>;
  ms: number;
}

/**
 * The extractive summarizer run in the worker pool: segmenting and ranking sentences is CPU work
 * that must not hold up the service's event loop. Same output as extractiveSummarizer().
 */
export function extractiveInPool(work: Work): Summarizer {
  return { summarize: (input, budget) => work.run('summarize', { input, ...(budget ? { budget } : {}) }) };
}

export const DEFAULT_STAGE_CONCURRENCY = 4;
const DEFAULT_BATCH_SIZE = 100;

export async function summarizePending(deps: SummarizeStageDeps, opts: SummarizeStageOptions = {}): Promise<SummarizeResult> {
  const now = deps.now ?? (() => new Date());
  const started = now().getTime();
  // A bad budget is the caller's bug: refuse it once here, not as a failure of every article.
  const budget = resolveBudget(opts.budget);
  const limit = opts.limit ?? Number.POSITIVE_INFINITY;
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  const concurrency = opts.concurrency ?? DEFAULT_STAGE_CONCURRENCY;
  for (const [name, value] of [
    ['limit', limit],
    ['batchSize', batchSize],
    ['concurrency', concurrency],
  ] as const) {
    if (!(value > 0) || (Number.isFinite(value) && !Number.isInteger(value)))
      throw new RangeError(`summarizePending ${name} must be a positive integer, got ${value}`);
  }

  const result: SummarizeResult = { summarized: 0, failed: 0, skipped: 0, byMethod: {}, ms: 0 };
  const fail = (articleId: number, err: unknown) => {
    result.failed++;
    deps.log.warn({ articleId, err: err instanceof Error ? err.message : String(err) }, 'could not summarize the article; it is retried on the next run');
  };
  const count = (summary: SummaryWrite, written: boolean) => {
    if (!written) {
      result.skipped++;
      return;
    }
    result.summarized++;
    result.byMethod[summary.method] = (result.byMethod[summary.method] ?? 0) + 1;
  };
  // The batch's summaries are stored together (one transaction); if that fails, one by one, so
  // a summary the store refuses sinks only its own article.
  const summarizeBatch = async (batch: PendingArticle[]) => {
    const done: SummaryWrite[] = [];
    await mapLimit(batch, concurrency, async (article) => {
      try {
        const summary = await deps.summarizer.summarize({ title: article.title, text: article.text, lang: article.lang }, budget);
        done.push({ articleId: article.id, text: summary.text, method: summary.method });
      } catch (err) {
        fail(article.id, err);
      }
    });
    try {
      const written = await storeSummaries(deps.db, done);
      for (const [i, s] of done.entries()) count(s, written[i]!);
      return;
    } catch (err) {
      if (done.length === 1) return void fail(done[0]!.articleId, err);
    }
    for (const s of done) {
      try {
        count(s, await storeSummary(deps.db, s.articleId, s));
      } catch (err) {
        fail(s.articleId, err);
      }
    }
  };

  // Paging by id means an article that failed is not met again in this run, so a few articles
  // that always fail cannot keep the run from reaching the others.
  let afterId: number | undefined;
  let attempted = 0;
  while (attempted < limit) {
    const size = Math.min(batchSize, limit - attempted);
    const batch = await listUnsummarized(deps.db, { limit: size, ...(afterId !== undefined && { afterId }) });
    if (batch.length === 0) break;
    afterId = batch[batch.length - 1]!.id;
    attempted += batch.length;
    await summarizeBatch(batch);
    opts.onProgress?.({ ...result, byMethod: { ...result.byMethod }, ms: now().getTime() - started });
    if (batch.length < size) break;
  }

  result.ms = now().getTime() - started;
  if (attempted > 0)
    deps.log.info(
      { summarized: result.summarized, failed: result.failed, skipped: result.skipped, byMethod: result.byMethod, ms: result.ms },
      'summaries stored',
    );
  return result;
}

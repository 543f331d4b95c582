// The summaries stage as `ingest` and `start` run it: right after ingest, over every article
// still without a summary (this run's new ones, and any an earlier run left pending).
import { type Deps, summarizeDeps } from '../deps.js';
import { type SummarizeResult, summarizePending } from '../summarize/stage.js';

export function summarizeStored(deps: Deps, onProgress?: (sofar: SummarizeResult) => void): Promise<SummarizeResult> {
  return summarizePending(summarizeDeps(deps), { budget: { sentences: deps.config.summary.sentences }, ...(onProgress && { onProgress }) });
}

/** "Summarized 7 articles (extractive 7)." — and what failed, which the next run retries. */
export function formatSummarized(r: SummarizeResult): string {
  const methods = Object.entries(r.byMethod)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([method, n]) => `${method} ${n}`);
  const head = `Summarized ${r.summarized} article${r.summarized === 1 ? '' : 's'}${methods.length ? ` (${methods.join(', ')})` : ''}`;
  return r.failed ? `${head}; ${r.failed} failed, retried on the next run (see the log).` : `${head}.`;
}

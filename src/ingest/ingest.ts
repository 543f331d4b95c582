// Ingest: every source through its reader, then normalize → dedup → store. One source failing is
// a status and a log line on that source, never the end of the run.
import type { Kysely } from 'kysely';
import type { Logger } from '../log.js';
import type { Fetcher, Reader, SourceKind } from '../sources/types.js';
import { type FetchSuccess, listSources, recordFetchFailure, recordFetchSuccess } from '../store/sources.js';
import type { Database, SourceRow } from '../store/schema.js';
import { toSourceRef } from './source-ref.js';
import { createGroupWriter, type GroupWriter } from './group-writer.js';
import { storeItems } from './store-items.js';
import { createSuccessLog, type SuccessLog } from './success-log.js';
import type { Work } from '../work/tasks.js';
import type { SummaryBudget } from '../summarize/summarizer.js';
import type { Stories } from './story-sync.js';

export interface IngestDeps {
  db: Kysely<Database>;
  readers: Record<SourceKind, Reader>;
  fetcher: Fetcher;
  log: Logger;
  now: () => Date;
  /** Sources read at the same time (the fetcher also limits per host). */
  concurrency: number;
  /** Consecutive failures after which a source is paused. */
  pauseAfter: number;
  /** Shared by the sources of one run (it group-commits their batches); made when absent. */
  writer?: GroupWriter;
  /** Shared by the sources of one run (it group-commits their fetch bookkeeping); made when absent. */
  successes?: SuccessLog;
  /** The process's near-duplicate index, kept across runs (see story-sync.ts). */
  stories: Stories;
  /** The worker pool, where items are normalized; in-process without one. */
  work?: Work;
  /** Summarize new articles as they are stored, extractively, within this budget (see normalize.ts). */
  summary?: SummaryBudget;
}

export type SourceStatus = 'ok' | 'not-modified' | 'error';

export interface SourceOutcome {
  sourceId: number;
  name: string;
  status: SourceStatus;
  new: number;
  duplicates: number;
  skipped: number;
  /** New articles stored with their summary. */
  summarized: number;
  error?: string;
  /** Set when this failure paused the source. */
  paused?: boolean;
  ms: number;
}

export interface IngestSummary {
  sources: number;
  new: number;
  duplicates: number;
  notModified: number;
  failed: number;
  /** New articles stored with their summary (the summaries stage makes the others'). */
  summarized: number;
  outcomes: SourceOutcome[];
}

export interface IngestOptions {
  /** Only these sources (ids). Paused ones are included only when named here. */
  sourceIds?: number[];
  /** Only sources whose next_fetch_at has come (the service loop). */
  dueOnly?: boolean;
  /** Also sources still backing off after failures. */
  force?: boolean;
  onProgress?: (done: SourceOutcome, finished: number, total: number) => void;
}

/** Which sources a run reads: enabled ones, minus those waiting out a backoff unless forced. */
export function selectSources(all: SourceRow[], opts: IngestOptions, now: Date): SourceRow[] {
  const nowIso = now.toISOString();
  if (opts.sourceIds?.length) {
    const wanted = new Set(opts.sourceIds);
    return all.filter((s) => wanted.has(s.id));
  }
  return all.filter((s) => {
    if (!s.enabled) return false;
    const waiting = s.next_fetch_at !== null && s.next_fetch_at > nowIso;
    if (opts.dueOnly) return !waiting;
    return opts.force || s.consecutive_failures === 0 || !waiting;
  });
}

export async function ingestAll(deps: IngestDeps, opts: IngestOptions = {}): Promise<IngestSummary> {
  const sources = selectSources(await listSources(deps.db), opts, deps.now());
  const runDeps = { ...deps, writer: deps.writer ?? createGroupWriter(deps), successes: deps.successes ?? createSuccessLog(deps.db) };
  const outcomes: SourceOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const source = sources[next++]!;
      const outcome = await ingestSource(runDeps, source);
      outcomes.push(outcome);
      opts.onProgress?.(outcome, outcomes.length, sources.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(deps.concurrency, sources.length) }, worker));
  return summarize(outcomes);
}

export function summarize(outcomes: SourceOutcome[]): IngestSummary {
  const sum = (f: (o: SourceOutcome) => number) => outcomes.reduce((n, o) => n + f(o), 0);
  return {
    sources: outcomes.length,
    new: sum((o) => o.new),
    duplicates: sum((o) => o.duplicates),
    notModified: sum((o) => (o.status === 'not-modified' ? 1 : 0)),
    failed: sum((o) => (o.status === 'error' ? 1 : 0)),
    summarized: sum((o) => o.summarized),
    outcomes,
  };
}

export async function ingestSource(deps: IngestDeps, source: SourceRow): Promise<SourceOutcome> {
  const started = performance.now();
  const base = { sourceId: source.id, name: source.name, new: 0, duplicates: 0, skipped: 0, summarized: 0 };
  const elapsed = () => Math.round(performance.now() - started);
  const succeeded = (result: FetchSuccess) =>
    deps.successes ? deps.successes.record(source, result, deps.now()) : recordFetchSuccess(deps.db, source, result, deps.now());
  try {
    const reader = deps.readers[source.kind];
    const result = await reader.read(toSourceRef(source), { fetcher: deps.fetcher, log: deps.log, now: deps.now });
    if (result.status === 'not-modified') {
      await succeeded(result);
      return { ...base, status: 'not-modified', ms: elapsed() };
    }
    if (result.feed.bozo && result.feed.items.length === 0) {
      throw new Error(`not a feed or page we can read: ${result.feed.bozoReason ?? 'no items found'}`);
    }
    const counts = await storeItems({ ...deps, writer: deps.writer ?? createGroupWriter(deps) }, source, result.feed.items, result.url);
    await succeeded({ status: 'ok', etag: result.etag, lastModified: result.lastModified });
    deps.log.debug({ source: source.id, ...counts }, 'source ingested');
    return { ...base, ...counts, status: 'ok', ms: elapsed() };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const row = await recordFetchFailure(deps.db, source.id, message, deps.now(), { pauseAfter: deps.pauseAfter });
    const paused = !row.enabled;
    deps.log.warn({ source: source.id, name: source.name, err: message, failures: row.consecutive_failures, paused }, 'source failed');
    return { ...base, status: 'error', error: message, paused, ms: elapsed() };
  }
}

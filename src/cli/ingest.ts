import type { Command } from 'commander';
import type { IngestSummary } from '../ingest/ingest.js';
import { UsageError, action, withDeps } from './context.js';
import { printJson, progressLine, table, truncate } from './output.js';

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('Fetch sources now and store their new articles (all enabled sources by default).')
    .option('-s, --source <id|url...>', 'only these sources (ids or URLs); paused ones too when named')
    .option('-f, --force', 'also sources still backing off after failures')
    .option('--json', 'print the summary as JSON')
    .action(
      action(async (opts: { source?: string[]; force?: boolean; json?: boolean }) => {
        const [{ ingestDeps }, { ingestAll }, { getSource }, { formatSummarized, summarizeStored }, { createFetcher }] = await Promise.all([
          import('../deps.js'),
          import('../ingest/ingest.js'),
          import('../store/sources.js'),
          import('./summaries.js'),
          import('../sources/fetcher.js'),
        ]);
        await withDeps(async (deps) => {
          const sourceIds: number[] = [];
          for (const key of opts.source ?? []) {
            const row = await getSource(deps.store.db, /^\d+$/.test(key) ? Number(key) : key);
            if (!row) throw new UsageError(`no source "${key}" (see \`tidings sources list\`)`);
            sourceIds.push(row.id);
          }
          // This process fetches each source once and exits: no connection is kept for a next pass.
          const fetcher = createFetcher({ ...deps.config.fetch, allow: [...deps.config.fetch.allow] }, { oneShot: true });
          const progress = progressLine();
          let totals = { new: 0, dup: 0, failed: 0 };
          let shownAt = Number.NEGATIVE_INFINITY;
          const summary = await ingestAll(
            { ...ingestDeps(deps, { summarize: true }), fetcher },
            {
              sourceIds: sourceIds.length ? sourceIds : undefined,
              force: opts.force,
              onProgress: (o, done, total) => {
                totals = { new: totals.new + o.new, dup: totals.dup + o.duplicates, failed: totals.failed + (o.status === 'error' ? 1 : 0) };
                // A line per source was 1,000 writes in a 1,000-source run (~70 ms of a 1.7 s all-304
                // pass); every failure, the last source and four lines a second tell as much.
                const now = performance.now();
                if (o.status !== 'error' && done < total && now - shownAt < 250) return;
                shownAt = now;
                const last = o.status === 'error' ? `${o.name}: FAILED ${o.error}` : `${o.name}: ${o.status}, ${o.new} new`;
                progress.update(`[${done}/${total}] ${totals.new} new · ${totals.dup} duplicate · ${totals.failed} failed — ${last}`);
              },
            },
          ).finally(() => fetcher.close());
          const stage = await summarizeStored(deps, (r) => progress.update(`summarizing: ${r.summarized} summarized · ${r.failed} failed`));
          // Summaries made at ingest count as summarized too: the user sees one total.
          const summaries = summary.summarized
            ? {
                ...stage,
                summarized: stage.summarized + summary.summarized,
                byMethod: { ...stage.byMethod, extractive: (stage.byMethod.extractive ?? 0) + summary.summarized },
              }
            : stage;
          progress.done();
          if (opts.json) printJson({ ...summary, summaries });
          else process.stdout.write(`${formatSummary(summary)}\n${formatSummarized(summaries)}\n`);
          if (summary.sources > 0 && summary.failed === summary.sources) process.exitCode = 1;
        });
      }),
    );
}

export function formatSummary(s: IngestSummary): string {
  if (s.sources === 0) return 'No sources to ingest. Add one with `tidings sources add <url|path>`.';
  const rows = [...s.outcomes]
    .sort((a, b) => a.sourceId - b.sourceId)
    .map((o) => [
      o.sourceId,
      truncate(o.name, 32),
      o.status === 'error' ? (o.paused ? 'FAILED, paused' : 'FAILED') : o.status,
      o.new,
      o.duplicates,
      truncate(o.error ?? '', 60),
    ]);
  return [
    table(['id', 'source', 'status', 'new', 'dup', 'error'], rows),
    '',
    `${s.sources} sources: ${s.new} new, ${s.duplicates} duplicate, ${s.notModified} not modified, ${s.failed} failed.`,
  ].join('\n');
}

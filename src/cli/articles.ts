import type { Command } from 'commander';
import type { Kysely } from 'kysely';
import type { ArticleRow, Database } from '../store/schema.js';
import { action, coreContext, parseIntOption, withDeps } from './context.js';
import { printJson, table, truncate } from './output.js';

export function registerArticles(program: Command): void {
  program
    .command('articles')
    .description('List stored articles, newest first, or search them.')
    .option('-s, --source <id-or-url>', 'only from this source')
    .option('-q, --search <words>', 'only articles containing all these words (Chinese works too)')
    .option('-n, --limit <n>', 'how many', parseIntOption('--limit', 1, 10_000), 20)
    .option('--json', 'print JSON (full rows)')
    .action(
      action(async (o: { source?: string; search?: string; limit: number; json?: boolean }) => {
        await withDeps(async (deps) => {
          const db = deps.store.db;
          const [{ findSource }, { listArticles, searchArticles }] = await Promise.all([import('../core/sources.js'), import('../store/articles.js')]);
          const sourceId = o.source ? (await findSource(coreContext(deps), o.source)).id : undefined;
          const rows = o.search
            ? (await searchArticles(db, o.search.split(/\s+/).filter(Boolean), { limit: o.limit })).filter(
                (r) => sourceId === undefined || r.source_id === sourceId,
              )
            : await listArticles(db, { sourceId, limit: o.limit });
          if (o.json) return printJson(rows.map(({ minhash: _m, search_text: _s, ...r }) => r));
          process.stdout.write(await formatArticles(db, rows));
        });
      }),
    );
}

/** A table people can scan: shared cluster ids show which articles tell the same story. */
export async function formatArticles(db: Kysely<Database>, rows: ArticleRow[]): Promise<string> {
  if (rows.length === 0) return 'No articles.\n';
  const { listSources } = await import('../store/sources.js');
  const names = new Map((await listSources(db)).map((s) => [s.id, s.name]));
  const clusterSize = new Map<number, number>();
  for (const r of rows) if (r.cluster_id !== null) clusterSize.set(r.cluster_id, (clusterSize.get(r.cluster_id) ?? 0) + 1);
  const body = table(
    ['id', 'published (UTC)', 'lang', 'source', 'story', 'title'],
    rows.map((r) => [
      r.id,
      r.published_at.slice(0, 16).replace('T', ' '),
      r.lang,
      truncate(names.get(r.source_id) ?? String(r.source_id), 22),
      r.cluster_id !== null && (clusterSize.get(r.cluster_id) ?? 0) > 1 ? `#${r.cluster_id}` : '',
      truncate(r.title, 70),
    ]),
  );
  return `${body}\n`;
}

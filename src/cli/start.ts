import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { type Deps, ingestDeps } from '../deps.js';
import { ingestAll } from '../ingest/ingest.js';
import { countArticles, listArticles } from '../store/articles.js';
import { addSource, listSources } from '../store/sources.js';
import { formatArticles } from './articles.js';
import { action, withDeps } from './context.js';
import { formatSummary } from './ingest.js';
import { startSending } from './start-send.js';
import { startDigests } from './start-digest.js';
import { formatSummarized, summarizeStored } from './summaries.js';

/** The bundled examples live beside src/, wherever the command is run from. */
const EXAMPLES = [
  { kind: 'feed' as const, file: '../../examples/feeds/industry-news.xml', name: 'Example: industry news feed' },
  { kind: 'textdump' as const, file: '../../examples/textdump', name: 'Example: crawler text dumps' },
];

async function addExamples(deps: Deps): Promise<string[]> {
  const added: string[] = [];
  for (const e of EXAMPLES) {
    const path = fileURLToPath(new URL(e.file, import.meta.url));
    if (!existsSync(path)) continue;
    const row = await addSource(deps.store.db, { kind: e.kind, url: path, name: e.name, intervalMinutes: deps.config.ingest.intervalMinutes, options: {} }, deps.now());
    added.push(`${row.id} ${row.name}`);
  }
  return added;
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('Run the main job: ingest due sources, build the next digest of each enabled newsletter into <data dir>/digests, and mail it to the subscribers (the outbox folder without SMTP_URL). An empty database gets the bundled examples first.')
    .action(
      action(async () => {
        await withDeps(
          async (deps) => {
            const out = (s: string) => process.stdout.write(s + '\n');
            if ((await listSources(deps.store.db)).length === 0) {
              const added = await addExamples(deps);
              if (added.length) out(`No sources yet: added the bundled examples (remove them with \`tidings sources remove <id> --yes\`):\n  ${added.join('\n  ')}\n`);
            }
            const summary = await ingestAll(ingestDeps(deps));
            out(formatSummary(summary));
            out(formatSummarized(await summarizeStored(deps)));
            const total = await countArticles(deps.store.db);
            out(`\nLatest articles (${total} stored in all):`);
            out(await formatArticles(deps.store.db, await listArticles(deps.store.db, { limit: 15 })));
            if (!(await startDigests(deps, out))) process.exitCode = 1;
            await startSending(deps, out);
            out(`Where to look:`);
            out(`  database   ${deps.config.databaseUrl.startsWith('postgres') ? '(PostgreSQL from DATABASE_URL)' : deps.config.databaseUrl}`);
            out('  articles   npx tidings articles [--search words] [--json]');
            out('  sources    npx tidings sources list');
            out('  digests    npx tidings newsletters list; npx tidings preview <slug> --out preview.html');
            out(`  archive    npx tidings serve, then open ${deps.config.sender.publicUrl}/`);
            if (!deps.config.email.smtpUrl) out(`  outbox     ${deps.config.email.outboxDir} (mails as .eml files; set SMTP_URL to send for real)`);
          },
          { service: true },
        );
      }),
    );
}
